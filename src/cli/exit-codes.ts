import { ConfigError } from '../config/errors.js';

/** sysexits.h: the exit codes MTAs (Postfix, Exim) understand from a delivery agent. */
export const EX = {
  OK: 0,
  /** Any other failure of an interactive command. */
  FAILURE: 1,
  USAGE: 64,
  /** The input is not a message (empty). */
  DATAERR: 65,
  NOUSER: 67,
  /** Try again later: the MTA keeps the message queued. */
  TEMPFAIL: 75,
  CONFIG: 78,
} as const;

/** A failure told to the user in one line, with the exit code that says what kind it is. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The one line on stderr and the exit code for whatever a command threw. */
export function describeFailure(error: unknown): { readonly message: string; readonly exitCode: number } {
  // One line, whatever the cause: MTAs quote stderr in bounces and logs.
  const message = (error instanceof Error ? error.message : String(error)).trim().replace(/\s*\n\s*/g, '; ');
  if (error instanceof CliError) return { message, exitCode: error.exitCode };
  if (error instanceof ConfigError) return { message, exitCode: EX.CONFIG };
  return { message, exitCode: EX.FAILURE };
}
