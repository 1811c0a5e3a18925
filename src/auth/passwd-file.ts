import { parseMailLocation } from './mail-location.js';
import { validateUserName } from './username.js';

/*
 * Dovecot's passwd-file format, so an operator migrating from Dovecot keeps the file unchanged:
 *
 *   name:password[:uid:gid:gecos:home:shell:extra_fields]
 *
 * Read here: the name, the password, the home directory (field 6) and, among the space-separated extra fields,
 * `userdb_mail=maildir:<path>` (or `mail=`), the user's own Maildir. uid, gid, gecos and shell are ignored (the
 * daemon runs as one user). Edits keep every field after the password verbatim. As in Dovecot: a blank line or one starting with `#` is no entry, the password field runs up to the
 * next `:`, a trailing CR is dropped, and when a name repeats, the first line wins. The password field is
 * interpreted elsewhere (password-schemes.ts), so this module stays a pure text format.
 */

export interface PasswdEntry {
  /** 1-based line number, for problem reports. */
  readonly line: number;
  readonly name: string;
  /** The password field as written, `{SCHEME}` prefix included; empty when the line has none. */
  readonly password: string;
  /** Field 6, when set. */
  readonly home?: string;
  /** The path of a `userdb_mail=maildir:<path>` extra field, when there is one. */
  readonly maildir?: string;
  /** Why the extra field's mail location cannot be used (another format), when it cannot. */
  readonly mailProblem?: string;
}

export interface PasswdProblem {
  readonly line: number;
  readonly reason: string;
}

export interface ParsedPasswdFile {
  readonly entries: readonly PasswdEntry[];
  /** Lines that were skipped; they never keep the other users from loading. */
  readonly problems: readonly PasswdProblem[];
}

/** Lines with their terminators, so that edits can put every other line back byte for byte. */
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function withoutTerminator(line: string): string {
  return line.replace(/\r?\n$/, '');
}

/** The user a line defines, or undefined for a blank or comment line. */
function nameOf(line: string): string | undefined {
  const body = withoutTerminator(line);
  if (body.trim() === '' || body.startsWith('#')) return undefined;
  return body.split(':', 1)[0];
}

export function parsePasswdFile(text: string): ParsedPasswdFile {
  const entries: PasswdEntry[] = [];
  const problems: PasswdProblem[] = [];
  const lineOfName = new Map<string, number>();
  splitLines(text).forEach((raw, index) => {
    const line = index + 1;
    const name = nameOf(raw);
    if (name === undefined) return;
    const invalid = validateUserName(name);
    if (invalid !== undefined) {
      problems.push({ line, reason: `user name ${JSON.stringify(name)} ${invalid}` });
      return;
    }
    const first = lineOfName.get(name);
    if (first !== undefined) {
      problems.push({ line, reason: `user ${name} is already defined on line ${first}; this line is ignored` });
      return;
    }
    lineOfName.set(name, line);
    const fields = withoutTerminator(raw).split(':');
    const home = fields[5] === undefined || fields[5] === '' ? undefined : fields[5];
    entries.push({ line, name, password: fields[1] ?? '', home, ...mailLocation(fields.slice(7).join(':')) });
  });
  return { entries, problems };
}

/** The Maildir of the extra fields' `userdb_mail=` (or `mail=`), or why it cannot be used. */
export function mailLocation(extra: string): { maildir?: string; mailProblem?: string } {
  const field = extra.split(/\s+/u).find((token) => /^(userdb_)?mail=/u.test(token));
  if (field === undefined) return {};
  const location = parseMailLocation(field.slice(field.indexOf('=') + 1));
  return 'problem' in location ? { mailProblem: location.problem } : location;
}

const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why `name` cannot be written as a user name of this format (it would split or hide the line), or undefined. */
export function passwdNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'is blank';
  if (name.startsWith('#')) return 'starts with "#", which makes the line a comment';
  if (name.includes(':')) return 'contains ":"';
  if (CONTROL.test(name)) return 'contains a control character';
  return undefined;
}

function assertWritable(name: string, secret: string): void {
  const problem = passwdNameProblem(name);
  if (problem !== undefined) throw new RangeError(`user name ${JSON.stringify(name)} ${problem}`);
  if (secret.includes(':') || CONTROL.test(secret)) throw new RangeError('secret contains ":" or a control character');
}

/**
 * The file with `name`'s password field set to `secret` (a full `{SCHEME}...` string). An existing line keeps
 * its other fields and its line ending; a new user is appended. Every other line is left byte-identical.
 */
export function withUser(text: string, name: string, secret: string): string {
  assertWritable(name, secret);
  const lines = splitLines(text);
  const index = lines.findIndex((line) => nameOf(line) === name);
  if (index === -1) {
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const separator = text === '' || text.endsWith('\n') ? '' : eol;
    return `${text}${separator}${name}:${secret}${eol}`;
  }
  const line = lines[index] as string;
  const body = withoutTerminator(line);
  const [, , ...rest] = body.split(':');
  lines[index] = [name, secret, ...rest].join(':') + line.slice(body.length);
  return lines.join('');
}

/** The file without any line for `name` (duplicates too, so no later line takes over); others byte-identical. */
export function withoutUser(text: string, name: string): string {
  return splitLines(text)
    .filter((line) => nameOf(line) !== name)
    .join('');
}
