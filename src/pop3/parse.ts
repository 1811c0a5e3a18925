import type { CommandLine } from '../net/lines.js';
import type { ParsedLine } from '../session/parsed-line.js';

/**
 * RFC 2449 §4 caps a command at 255 octets including CRLF; we accept 255 before the line end, to be
 * liberal in what we accept, and answer anything longer with -ERR.
 */
export const MAX_COMMAND_OCTETS = 255;

export type { ParsedLine };

// Control characters (and DEL) never belong in a command; bytes >= 0x80 may, inside a password.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;
const KEYWORD = /^[A-Za-z]{3,4}$/;

/** Pure: one input line to one command or one reason it is not one. Never throws. */
export function parseLine(line: CommandLine): ParsedLine {
  if (line.kind === 'too-long') return { kind: 'invalid', reason: 'Line too long' };
  const text = line.text;
  if (text.length === 0) return { kind: 'invalid', reason: 'Empty command' };
  if (CONTROL.test(text)) return { kind: 'invalid', reason: 'Invalid characters in command' };
  const space = text.indexOf(' ');
  const keyword = space === -1 ? text : text.slice(0, space);
  if (!KEYWORD.test(keyword)) return { kind: 'invalid', reason: 'Unknown command' };
  const rest = space === -1 ? '' : text.slice(space + 1);
  // Words are split on runs of spaces, wherever they are (`LIST  1` is LIST 1); `rest` keeps them, for PASS.
  const trimmed = rest.trim();
  return {
    kind: 'command',
    verb: keyword.toUpperCase(),
    args: trimmed === '' ? [] : trimmed.split(/ +/),
    rest,
  };
}
