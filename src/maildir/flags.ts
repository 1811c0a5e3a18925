/**
 * Flag changes a POP3 server makes beside an IMAP server, as Dovecot's POP3 does (unless pop3_no_flag_updates):
 * messages in new/ move to cur/ with an empty `:2,` info at login, and a retrieved message gets the `S` (seen)
 * flag. Callers hold the maildrop lock. A rename is atomic, so a message is always under one name or the other,
 * never lost; one that another process moved or removed first is left to it.
 */
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { hasErrorCode } from '../process/errno.js';
import type { MessageDir } from './layout.js';

/** Renames at a time: enough to keep the disk busy, few enough not to starve the sessions' own reads. */
const PARALLEL_RENAMES = 32;

/** Where the info starts in a file name (`:2,` or Dovecot's `!2,`), or -1. */
function infoStart(fileName: string): number {
  const at = Math.max(fileName.lastIndexOf(':'), fileName.lastIndexOf('!'));
  return at > 0 && fileName.startsWith('2,', at + 1) ? at : -1;
}

/** The file name with `flag` among its info flags (kept in ASCII order, as Maildir wants); `:2,` added when absent. */
export function withFlag(fileName: string, flag: string): string {
  const at = infoStart(fileName);
  if (at === -1) return `${fileName}:2,${flag}`;
  const flags = fileName.slice(at + 3);
  if (flags.includes(flag)) return fileName;
  return `${fileName.slice(0, at + 3)}${[...flags, flag].sort().join('')}`;
}

/** The name a message gets in cur/: its info as it was, or an empty `:2,`. */
export function curName(fileName: string): string {
  return infoStart(fileName) === -1 ? `${fileName}:2,` : fileName;
}

/** Renames `from` to `to`; false when `from` was gone already (another process moved or expunged it). */
export async function renameIfPresent(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
    return true;
  } catch (err) {
    if (hasErrorCode(err, 'ENOENT')) return false;
    throw err;
  }
}

interface Placed {
  readonly dir: MessageDir;
  readonly name: string;
  readonly path: string;
}

/**
 * The listing with every message of new/ moved to cur/ (the same array when none was in new/). A message that
 * could not be moved keeps its entry: the maildrop finds it wherever it went when it is read or deleted.
 */
export async function moveNewToCur<M extends Placed>(maildir: string, listing: readonly M[]): Promise<readonly M[]> {
  const fresh: number[] = [];
  listing.forEach((message, i) => message.dir === 'new' && fresh.push(i));
  if (fresh.length === 0) return listing;
  const moved = [...listing];
  for (let start = 0; start < fresh.length; start += PARALLEL_RENAMES) {
    await Promise.all(
      fresh.slice(start, start + PARALLEL_RENAMES).map(async (i) => {
        const message = listing[i]!;
        const name = curName(message.name);
        const path = join(maildir, 'cur', name);
        if (await renameIfPresent(message.path, path)) moved[i] = { ...message, dir: 'cur', name, path };
      }),
    );
  }
  return moved;
}
