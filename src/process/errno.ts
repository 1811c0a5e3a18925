/** Whether `err` is a Node system error with this `code` (ENOENT, ELOCKED, ...). */
export function hasErrorCode(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}

/** A `.catch` handler that swallows errors with this `code` (e.g. ENOENT: already gone) and rethrows the rest. */
export function ignoreErrorCode(code: string): (err: unknown) => void {
  return (err) => {
    if (!hasErrorCode(err, code)) throw err;
  };
}
