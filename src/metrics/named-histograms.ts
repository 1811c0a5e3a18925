import { EMPTY_HISTOGRAM, observe, type Histogram } from './histogram.js';

/**
 * Latency histograms by name, as an array indexed by the name's number. The fold copies a set at every
 * observation, and V8 copies a short array several times faster than a record of a dozen keys. Names are
 * few (POP3 verbs with INVALID and UNKNOWN, the session steps), numbered once per process in order of first
 * use.
 */
export type Histograms = readonly (Histogram | undefined)[];

export const NO_HISTOGRAMS: Histograms = [];

const numbers = new Map<string, number>();
const names: string[] = [];

export function numberOf(name: string): number {
  let number = numbers.get(name);
  if (number === undefined) {
    number = names.push(name) - 1;
    numbers.set(name, number);
  }
  return number;
}

export function histogramNamed(histograms: Histograms, name: string): Histogram | undefined {
  const number = numbers.get(name);
  return number === undefined ? undefined : histograms[number];
}

/** The names with a histogram, and it, in order of the names' numbers (callers sort as they need). */
export function namedEntries(histograms: Histograms): [name: string, histogram: Histogram][] {
  const entries: [string, Histogram][] = [];
  for (let number = 0; number < histograms.length; number += 1) {
    const histogram = histograms[number];
    if (histogram !== undefined) entries.push([names[number]!, histogram]);
  }
  return entries;
}

/** Pure: the set with one more observation (seconds) of the name numbered `number`. */
export function observeNumbered(histograms: Histograms, number: number, seconds: number): Histograms {
  const next = histograms.slice();
  // No holes: a sparse array compares and iterates differently.
  while (next.length < number) next.push(undefined);
  next[number] = observe(histograms[number] ?? EMPTY_HISTOGRAM, seconds);
  return next;
}
