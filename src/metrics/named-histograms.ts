import { EMPTY_HISTOGRAM, mergeHistograms, observe, type Histogram } from './histogram.js';
import { Numbering, withEntry } from './numbering.js';

/** Latency histograms by name, as an array indexed by the name's number (numbering.ts). */
export type Histograms = readonly (Histogram | undefined)[];

export const NO_HISTOGRAMS: Histograms = [];

const names = new Numbering();

export const numberOf = (name: string): number => names.numberOf(name);

export function histogramNamed(histograms: Histograms, name: string): Histogram | undefined {
  const number = names.find(name);
  return number === undefined ? undefined : histograms[number];
}

/** The names with a histogram, and it, in order of the names' numbers (callers sort as they need). */
export const namedEntries = (histograms: Histograms): [name: string, histogram: Histogram][] => names.entries(histograms);

/** Pure: the set with one more observation (seconds) of the name numbered `number`. */
export function observeNumbered(histograms: Histograms, number: number, seconds: number): Histograms {
  return withEntry(histograms, number, observe(histograms[number] ?? EMPTY_HISTOGRAM, seconds));
}

/** Pure: the set with `histogram`'s observations added to those of the name numbered `number`. */
export function mergeNumbered(histograms: Histograms, number: number, histogram: Histogram): Histograms {
  const was = histograms[number];
  return withEntry(histograms, number, was === undefined ? histogram : mergeHistograms(was, histogram));
}
