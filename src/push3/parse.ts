import type { CommandLine } from '../net/lines.js';

/** Longest line accepted, before its CRLF: generous for `<command> <arg1> <arg2>`, small enough to bound buffering. */
export const MAX_LINE_OCTETS = 512;
/** The spec: a command is an alphabetic string of at most 20 characters. */
export const MAX_VERB_LENGTH = 20;

export type ParsedLine =
  | { readonly kind: 'command'; /** Upper-cased. */ readonly verb: string; readonly args: readonly string[] }
  | { readonly kind: 'invalid'; readonly reason: string };

// Arguments may be any printable character (UTF-8 included); control characters never are.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;
const VERB = new RegExp(`^[A-Za-z]{1,${MAX_VERB_LENGTH}}$`);

const invalid = (reason: string): ParsedLine => ({ kind: 'invalid', reason });

/**
 * Pure, never throws: `<command>[ <arg1>[ <arg2>]]` with exactly one space between parts. How many
 * arguments a command takes is the dispatcher's business, so the reply can name the command.
 */
export function parseLine(line: CommandLine): ParsedLine {
  if (line.kind === 'too-long') return invalid(`Line too long (at most ${MAX_LINE_OCTETS} octets)`);
  const text = line.text;
  if (text === '') return invalid('Empty command');
  if (CONTROL.test(text)) return invalid('Invalid characters in command');
  const [verb = '', ...args] = text.split(' ');
  if (verb === '' || args.some((arg) => arg === '')) return invalid('Parts must be separated by exactly one space');
  if (!VERB.test(verb)) return invalid(`Command must be alphabetic and at most ${MAX_VERB_LENGTH} characters`);
  return { kind: 'command', verb: verb.toUpperCase(), args };
}
