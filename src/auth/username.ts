/** The longest accepted name, in UTF-8 octets: keeps paths short and logs readable. */
const MAX_OCTETS = 64;

/** Path separators, `%` (template syntax), C0/C1 controls incl. NUL and DEL: none may reach a path. */
const FORBIDDEN = /[/\\%\u0000-\u001f\u007f-\u009f]/u;
const WHITESPACE = /\s/u;
/** A lone UTF-16 surrogate: Node would write it as U+FFFD, so two distinct names would share one path. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Why a user name may not be used, or undefined when it may. A name that passes can be substituted into a
 * path as one plain segment: it is never empty, `.`, `..`, hidden, option-like or a separator.
 */
export function validateUserName(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (Buffer.byteLength(name, 'utf8') > MAX_OCTETS) return `is longer than ${MAX_OCTETS} octets`;
  // Also covers `.` and `..`.
  if (name.startsWith('.')) return 'starts with "."';
  if (name.startsWith('-')) return 'starts with "-"';
  if (FORBIDDEN.test(name)) return 'contains a separator, "%" or a control character';
  if (WHITESPACE.test(name)) return 'contains whitespace';
  if (LONE_SURROGATE.test(name)) return 'is not well-formed Unicode';
  return undefined;
}
