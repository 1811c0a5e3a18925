/**
 * How a command's words become typed arguments. The dispatcher checks the count against `min`/`max`
 * first (one wording for every command of both protocols), then `parse` turns the words into what the
 * step receives, or refuses with the reason the client is told.
 */
export interface ArgumentSpec<A> {
  readonly min: number;
  readonly max: number;
  parse(words: readonly string[], rest: string): A | Invalid;
}

/** A refusal from an argument parser: the text of the negative reply. */
export class Invalid {
  constructor(readonly reason: string) {}
}

export const argumentSpec = <A>(
  min: number,
  max: number,
  parse: (words: readonly string[], rest: string) => A | Invalid,
): ArgumentSpec<A> => ({ min, max, parse });

// The defaults below are never used: the count was checked before `parse` runs.
export const noArguments: ArgumentSpec<void> = argumentSpec(0, 0, () => undefined);
export const oneWord: ArgumentSpec<string> = argumentSpec(1, 1, ([word = '']) => word);
export const optionalWord: ArgumentSpec<string | undefined> = argumentSpec(0, 1, ([word]) => word);
export const twoWords: ArgumentSpec<readonly [string, string]> = argumentSpec(2, 2, ([first = '', second = '']) => [first, second]);
export const upToTwoWords: ArgumentSpec<readonly [string | undefined, string | undefined]> = argumentSpec(
  0,
  2,
  ([first, second]) => [first, second],
);
/** Everything after the verb and one space, verbatim (a POP3 password may contain spaces). */
export const restOfLine: ArgumentSpec<string> = argumentSpec(1, Number.POSITIVE_INFINITY, (_words, rest) => rest);

/** The one wording of a wrong argument count, for both protocols: `LOGIN takes 2 arguments`. */
export function arityReason(verb: string, { min, max }: { readonly min: number; readonly max: number }): string {
  const count = max === Number.POSITIVE_INFINITY ? `at least ${min}` : min === max ? `${min}` : `${min} to ${max}`;
  return `${verb} takes ${count} argument${count === '1' || count === 'at least 1' ? '' : 's'}`;
}
