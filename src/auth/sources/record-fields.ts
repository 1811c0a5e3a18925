import { parseMailLocation } from '../mail-location.js';
import { parseStoredPassword, type StoredPassword } from '../password-schemes.js';
import type { SourceEntry } from '../source.js';

/** A column or attribute value as text, or undefined when absent, null or empty. */
export function text(value: unknown): string | undefined {
  if (Array.isArray(value)) return text(value[0]);
  if (Buffer.isBuffer(value)) return text(value.toString('utf8'));
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * A found user's entry from the values a database row or directory entry gave: the password field in
 * passwd-file form, and optionally a mail location and a home. A location that is not a Maildir is reported
 * and left out (mail.maildir applies), a missing password makes a user who cannot log in.
 */
export function entryFrom(
  name: string,
  fields: { password?: unknown; maildir?: unknown; home?: unknown },
  report: (reason: string) => void,
): SourceEntry {
  const password = text(fields.password);
  const stored: StoredPassword = password === undefined ? { problem: 'no password' } : parseStoredPassword(password);
  const location = text(fields.maildir);
  const parsed = location === undefined ? undefined : parseMailLocation(location);
  if (parsed !== undefined && 'problem' in parsed) report(`user ${name}: ${parsed.problem}; mail.maildir is used instead`);
  const maildir = parsed !== undefined && 'maildir' in parsed ? parsed.maildir : undefined;
  return { record: { name, home: text(fields.home), maildir }, verifier: { kind: 'stored', stored } };
}
