import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { hasErrorCode } from '../process/errno.js';

/** Where delivered messages live, cur/ first: a message caught mid-move (linked in both) is taken from cur/. */
export const MESSAGE_DIRS = ['cur', 'new'] as const;
export type MessageDir = (typeof MESSAGE_DIRS)[number];

/** Private to the user: mail is nobody else's business. */
const MODE = 0o700;

/**
 * Creates the Maildir and its cur/ new/ tmp/ where missing. True only for the caller whose
 * (non-recursive, hence atomic) mkdir made the Maildir itself, so concurrent callers agree on who created it.
 */
export async function createMaildirDirs(maildir: string): Promise<boolean> {
  await mkdir(dirname(maildir), { recursive: true, mode: MODE });
  let created = true;
  try {
    await mkdir(maildir, { mode: MODE });
  } catch (err) {
    if (!hasErrorCode(err, 'EEXIST')) throw err;
    created = false;
  }
  await Promise.all(['cur', 'new', 'tmp'].map((dir) => mkdir(join(maildir, dir), { recursive: true, mode: MODE })));
  return created;
}
