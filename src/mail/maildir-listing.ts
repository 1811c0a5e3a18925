import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { filter, from, lastValueFrom, mergeMap, toArray } from 'rxjs';
import { hasErrorCode } from './errno.js';
import { MESSAGE_DIRS } from './maildir-layout.js';
import { compareBaseNames, parseMaildirName } from './maildir-name.js';
import type { WireSizeCache } from './wire-size-cache.js';
import { parseNameSizes } from './wire-size.js';

/** A message found in cur/ or new/, with the size POP3 announces for it. */
export interface ListedMessage {
  readonly baseName: string;
  readonly path: string;
  readonly wireSize: number;
}

interface Candidate {
  readonly baseName: string;
  readonly path: string;
}

/** The size cache key of a message: by base name, not path, so a move new/ → cur/ or a flag change keeps it. */
export function sizeCacheKey(maildir: string, baseName: string): string {
  return join(maildir, baseName);
}

/** Stats and scans in parallel, but bounded: thousands of messages must not exhaust file descriptors. */
const CONCURRENCY = 16;

/** Dotfiles are editor or tool droppings, never mail (Maildir names never start with a dot). */
async function candidatesIn(maildir: string): Promise<Candidate[]> {
  const listings = await Promise.all(
    MESSAGE_DIRS.map(async (dir) => (await readdir(join(maildir, dir))).map((name) => ({ dir, name }))),
  );
  return listings
    .flat()
    .filter(({ name }) => !name.startsWith('.'))
    .map(({ dir, name }) => ({ baseName: parseMaildirName(name).baseName, path: join(maildir, dir, name) }));
}

/**
 * The message, or undefined when it is not one: vanished since readdir, or not a regular file. lstat, not
 * stat: a symlink planted in the Maildir must not make the daemon serve a file the user cannot read.
 */
async function measure(maildir: string, candidate: Candidate, sizes: WireSizeCache): Promise<ListedMessage | undefined> {
  let stats;
  try {
    stats = await lstat(candidate.path);
  } catch (err) {
    if (hasErrorCode(err, 'ENOENT')) return undefined;
    throw err;
  }
  if (!stats.isFile()) return undefined;
  const wireSize =
    parseNameSizes(candidate.baseName).wire ??
    (await sizes.measure(sizeCacheKey(maildir, candidate.baseName), candidate.path, stats));
  return { ...candidate, wireSize };
}

/** One entry per base name, the first seen: a message being moved may briefly be linked in cur/ and new/. */
function uniqueByBaseName(candidates: readonly Candidate[]): Candidate[] {
  const seen = new Map<string, Candidate>();
  for (const candidate of candidates) if (!seen.has(candidate.baseName)) seen.set(candidate.baseName, candidate);
  return [...seen.values()];
}

/** The messages of cur/ and new/, oldest first. tmp/ is never looked at: its files are still being written. */
export async function listMessages(maildir: string, sizes: WireSizeCache): Promise<ListedMessage[]> {
  const candidates = uniqueByBaseName(await candidatesIn(maildir));
  const measured = await lastValueFrom(
    from(candidates).pipe(
      mergeMap((candidate) => measure(maildir, candidate, sizes), CONCURRENCY),
      filter((message): message is ListedMessage => message !== undefined),
      toArray(),
    ),
  );
  return measured.sort((a, b) => compareBaseNames(a.baseName, b.baseName));
}

/** Where the message with this base name is now (another tool may have moved it or changed its flags). */
export async function locateMessage(maildir: string, baseName: string): Promise<string | undefined> {
  for (const dir of MESSAGE_DIRS) {
    let names: string[];
    try {
      names = await readdir(join(maildir, dir));
    } catch (err) {
      if (hasErrorCode(err, 'ENOENT')) continue;
      throw err;
    }
    const name = names.find((candidate) => parseMaildirName(candidate).baseName === baseName);
    if (name !== undefined) return join(maildir, dir, name);
  }
  return undefined;
}
