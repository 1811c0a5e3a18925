/**
 * Names numbered once per process, in order of first use, so that figures per name can live in short
 * arrays: the fold copies such a set at every event that moves it, and V8 copies a short array several
 * times faster than a record of a dozen keys. Only for names that are few (POP3 verbs with INVALID and
 * UNKNOWN, the session steps).
 */
export class Numbering {
  readonly #numbers = new Map<string, number>();
  readonly #names: string[] = [];

  numberOf(name: string): number {
    let number = this.#numbers.get(name);
    if (number === undefined) {
      number = this.#names.push(name) - 1;
      this.#numbers.set(name, number);
    }
    return number;
  }

  /** The number of a name already numbered. */
  find(name: string): number | undefined {
    return this.#numbers.get(name);
  }

  /** The names with a value, and it, in order of the names' numbers (callers sort as they need). */
  entries<T>(values: readonly (T | undefined)[]): [name: string, value: T][] {
    const entries: [string, T][] = [];
    for (let number = 0; number < values.length; number += 1) {
      const value = values[number];
      if (value !== undefined) entries.push([this.#names[number]!, value]);
    }
    return entries;
  }
}

/** Pure: `values` with the entry numbered `number` replaced, without holes (a sparse array compares and iterates differently). */
export function withEntry<T>(values: readonly (T | undefined)[], number: number, value: T): readonly (T | undefined)[] {
  const next = values.slice();
  while (next.length < number) next.push(undefined);
  next[number] = value;
  return next;
}
