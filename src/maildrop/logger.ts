import { inspect } from 'node:util';

/** The little the mail layer logs through: a pino Logger fits, so does a test double. */
export interface MailLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

/** Without an injected logger, problems still surface, as process warnings on stderr. */
export const warningLogger: MailLogger = {
  warn: (fields, message) => process.emitWarning(message, { detail: inspect(fields) }),
};
