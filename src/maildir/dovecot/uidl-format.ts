/**
 * Dovecot 2.3's `pop3_uidl_format`: `%u` (IMAP UID), `%v` (UIDVALIDITY), `%f` (the Maildir base name, Dovecot's
 * GUID of a Maildir message), each optionally `%[0][width][X]`: `0` pads to the width with zeros (no truncation),
 * a width without `0` truncates to at most that many characters, `X` writes the number in lowercase hex, as
 * Dovecot's var_expand does. `%%` is a literal `%`. Parsed once; expanding is a pure function of the values.
 */

export type UidlVariable = 'uid' | 'uidValidity' | 'fileName';

interface Literal {
  readonly kind: 'literal';
  readonly text: string;
}

interface Field {
  readonly kind: 'field';
  readonly variable: UidlVariable;
  readonly width: number;
  readonly zeroPad: boolean;
  readonly hex: boolean;
}

export type UidlPart = Literal | Field;

export interface UidlFormat {
  readonly source: string;
  readonly parts: readonly UidlPart[];
  /** True when the format needs IMAP UIDs (and so Dovecot's dovecot-uidlist). */
  readonly needsUids: boolean;
}

export interface UidlValues {
  readonly uid: number;
  readonly uidValidity: number;
  readonly fileName: string;
}

const SHORT: Readonly<Record<string, UidlVariable>> = { u: 'uid', v: 'uidValidity', f: 'fileName' };
/** Dovecot's long names for the same variables (`%{uid}`). */
const LONG: Readonly<Record<string, UidlVariable>> = { uid: 'uid', uidvalidity: 'uidValidity', filename: 'fileName' };
const FIELD = /^%(0?)(\d*)(X?)(?:([a-zA-Z])|\{([a-z]+)\})/u;

export class UidlFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UidlFormatError';
  }
}

/** Parses a format; throws UidlFormatError naming the first thing Dovecot's pop3 would not expand. */
export function parseUidlFormat(source: string): UidlFormat {
  const parts: UidlPart[] = [];
  let literal = '';
  for (let at = 0; at < source.length; ) {
    if (source[at] !== '%') {
      literal += source[at++];
      continue;
    }
    if (source[at + 1] === '%') {
      literal += '%';
      at += 2;
      continue;
    }
    const match = FIELD.exec(source.slice(at));
    const name = match?.[4] ?? match?.[5];
    const variable = name === undefined ? undefined : match?.[4] !== undefined ? SHORT[name] : LONG[name];
    if (match === null || variable === undefined) {
      throw new UidlFormatError(`unknown variable at "${source.slice(at, at + 12)}" (known: %u %v %f, with 0, width and X)`);
    }
    if (literal !== '') parts.push({ kind: 'literal', text: literal });
    literal = '';
    parts.push({ kind: 'field', variable, zeroPad: match[1] === '0', width: Number(match[2] || 0), hex: match[3] === 'X' });
    at += match[0].length;
  }
  if (literal !== '') parts.push({ kind: 'literal', text: literal });
  if (!parts.some((part) => part.kind === 'field')) throw new UidlFormatError('must contain at least one of %u %v %f');
  const needsUids = parts.some((part) => part.kind === 'field' && part.variable !== 'fileName');
  return { source, parts, needsUids };
}

function expandField(field: Field, values: UidlValues): string {
  const raw = values[field.variable];
  const text = typeof raw === 'number' ? raw.toString(field.hex ? 16 : 10) : field.hex ? hexOfDecimal(raw) : raw;
  if (field.width === 0) return text;
  return field.zeroPad ? text.padStart(field.width, '0') : text.slice(0, field.width);
}

/** Dovecot's X on text: the leading decimal number in hex, 0 when the text is not a number. */
function hexOfDecimal(text: string): string {
  return /^\d+$/u.test(text) ? BigInt(text).toString(16) : '0';
}

export function expandUidl(format: UidlFormat, values: UidlValues): string {
  let out = '';
  for (const part of format.parts) out += part.kind === 'literal' ? part.text : expandField(part, values);
  return out;
}

/** Dovecot's default, `%08Xu%08Xv`. pop3d's default is `%f` (the base name), what it has always answered. */
export const DOVECOT_DEFAULT_UIDL_FORMAT = '%08Xu%08Xv';
export const DEFAULT_UIDL_FORMAT = '%f';
