/** Whether `err` is a Node system error with this `code` (ENOENT, ELOCKED, ...). */
export function hasErrorCode(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}
