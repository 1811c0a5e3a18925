/**
 * File names as bytes. A Maildir file's name is whatever bytes its writer chose, not always UTF-8; decoded
 * the usual way, an invalid byte becomes U+FFFD, and the name no longer leads back to the file: the message
 * could be neither read nor deleted. So names are decoded byte-exactly: a byte that is not part of valid
 * UTF-8 becomes a lone low surrogate U+DC80..U+DCFF (Python's "surrogateescape"), which valid UTF-8 never
 * decodes to. The string keys, sorts and hashes like any name, and `fsPath` turns it back into the bytes.
 */

import { isUtf8 } from 'node:buffer';

const ESCAPE_BASE = 0xdc00;
/** A low surrogate that does not complete a pair: only an escaped byte. */
const ESCAPED = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;

/** The name as a string, byte for byte (see above). Valid UTF-8, the usual case, is decoded as usual. */
export function nameFromBytes(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  let out = '';
  let at = 0;
  while (at < bytes.length) {
    const length = validSequenceAt(bytes, at);
    if (length === 0) {
      out += String.fromCharCode(ESCAPE_BASE + bytes[at]!);
      at += 1;
    } else {
      out += bytes.toString('utf8', at, at + length);
      at += length;
    }
  }
  return out;
}

/** The bytes of a name made by nameFromBytes. */
export function nameBytes(name: string): Buffer {
  if (!ESCAPED.test(name)) return Buffer.from(name, 'utf8');
  const parts: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < name.length; i += 1) {
    const code = name.charCodeAt(i);
    const paired = i > 0 && name.charCodeAt(i - 1) >= 0xd800 && name.charCodeAt(i - 1) <= 0xdbff;
    if (code >= 0xdc80 && code <= 0xdcff && !paired) {
      parts.push(Buffer.from(name.slice(from, i), 'utf8'), Buffer.of(code - ESCAPE_BASE));
      from = i + 1;
    }
  }
  parts.push(Buffer.from(name.slice(from), 'utf8'));
  return Buffer.concat(parts);
}

/** What to hand the file system for a path whose last part may hold escaped bytes: the string when it has none. */
export function fsPath(path: string): string | Buffer {
  return ESCAPED.test(path) ? nameBytes(path) : path;
}

/** Whether the name was not valid UTF-8 on disk. */
export const hasEscapedBytes = (name: string): boolean => ESCAPED.test(name);

/** Length of the valid UTF-8 sequence starting at `at` (RFC 3629: no overlongs, surrogates or > U+10FFFF), or 0. */
function validSequenceAt(bytes: Buffer, at: number): number {
  const lead = bytes[at]!;
  if (lead < 0x80) return 1;
  const cont = (i: number, min = 0x80, max = 0xbf): boolean => {
    const byte = bytes[at + i];
    return byte !== undefined && byte >= min && byte <= max;
  };
  if (lead >= 0xc2 && lead <= 0xdf) return cont(1) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    const [min, max] = lead === 0xe0 ? [0xa0, 0xbf] : lead === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
    return cont(1, min, max) && cont(2) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const [min, max] = lead === 0xf0 ? [0x90, 0xbf] : lead === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    return cont(1, min, max) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}
