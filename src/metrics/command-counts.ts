import { Numbering, withEntry } from './numbering.js';

/** POP3 commands counted by upper-case verb, as an array indexed by the verb's number (numbering.ts). */
export type CommandCounts = readonly (number | undefined)[];

export const NO_COMMANDS: CommandCounts = [];

const verbs = new Numbering();

/** Pure: the counts with `by` (one) more `verb`. */
export function countCommand(counts: CommandCounts, verb: string, by = 1): CommandCounts {
  const number = verbs.numberOf(verb);
  return withEntry(counts, number, (counts[number] ?? 0) + by);
}

/** The verbs seen, with their counts, in order of the verbs' numbers (callers sort as they need). */
export const commandEntries = (counts: CommandCounts): [verb: string, count: number][] => verbs.entries(counts);
