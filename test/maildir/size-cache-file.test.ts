import fc from 'fast-check';
import { readdir, readFile, rename, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MailLogger } from '../../src/maildrop/logger.js';
import { ListingIndex, type ListingIndexOptions } from '../../src/maildir/listing-index.js';
import { MaildirStore } from '../../src/maildir/store.js';
import { scanMaildir } from '../../src/maildir/listing.js';
import { compareBaseNames } from '../../src/maildir/name.js';
import { decodeSizeCache, encodeSizeCache, readSizeCache, SIZE_CACHE_NAME, writeSizeCache, type CachedListing } from '../../src/maildir/size-cache-file.js';
import { WireSizeCache } from '../../src/sizes/wire-size-cache.js';
import { parseNameSizes } from '../../src/sizes/wire-size.js';
import { put, tempMaildir } from '../support/temp-dir.js';

/** Whole seconds: restoring an mtime restores it exactly. */
const PAST = 1_700_000_000;

function recordingLogger(): MailLogger & { messages: string[] } {
  const messages: string[] = [];
  return { messages, warn: (_fields, message) => void messages.push(message) };
}

const indexes: ListingIndex[] = [];

// Cache files are written in the background: done before the temporary Maildirs are removed.
afterEach(async () => {
  await Promise.all(indexes.splice(0).map((listingIndex) => listingIndex.flushed()));
});

function index(options: Partial<ListingIndexOptions> = {}): ListingIndex {
  const listingIndex = new ListingIndex({ sizes: new WireSizeCache(), logger: recordingLogger(), persistFrom: 0, ...options });
  indexes.push(listingIndex);
  return listingIndex;
}

/**
 * An index whose clock runs a minute ahead, so every directory it reads counts as settled. (Setting the
 * directories' mtime back would not do: that changes their ctime, which can only move forward.)
 */
const settledIndex = (options: Partial<ListingIndexOptions> = {}): ListingIndex => index({ now: () => Date.now() + 60_000, ...options });

/** Rewrites a message in place with the same length and mtime: only a reader of the content sees the change. */
async function rewriteKeepingVersion(path: string, content: string): Promise<void> {
  await writeFile(path, content);
  await utimes(path, PAST, PAST);
}

/** Lets the clock move past the last stamp: kernels without fine-grained timestamps tick every few ms. */
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 15));

const sizesOf = (messages: readonly { wireSize: number }[]): number[] => messages.map((m) => m.wireSize);

describe('scanMaildir', () => {
  it('lists in compareBaseNames order whatever the directory order', async () => {
    const maildir = await tempMaildir();
    const name = fc.tuple(fc.nat(2_000_000_000), fc.stringMatching(/^[a-z0-9.]{0,8}$/u)).map(([secs, rest]) => `${secs}.${rest}`);
    const names = fc.sample(fc.uniqueArray(name, { minLength: 1, maxLength: 40 }), 1)[0]!;
    for (const [i, baseName] of names.entries()) await put(maildir, `${i % 2 ? 'cur' : 'new'}/${baseName}${i % 2 ? ':2,S' : ''}`, 'x\n');
    const listed = await scanMaildir(maildir, { sizes: new WireSizeCache() });
    expect(listed.map((m) => m.baseName)).toEqual([...names].sort(compareBaseNames));
  });

  it('takes sizes from W= without reading, measures the rest, and skips what is no message', async () => {
    const maildir = await tempMaildir();
    await put(maildir, 'new/1.sized,S=4,W=999', 'a\nb\n');
    await put(maildir, 'new/2.plain', 'a\nb\n');
    await put(maildir, 'cur/3.big:2,S', Buffer.alloc(3 << 20, 'x\n'));
    await symlink('/etc/hostname', join(maildir, 'new', '4.link'));
    await put(maildir, 'new/.5.hidden', 'x\n');
    // Files written just now: trusted to be as read, so that they get versions.
    const listed = await scanMaildir(maildir, { sizes: new WireSizeCache(), settledBefore: Number.POSITIVE_INFINITY });
    expect(listed.map((m) => [m.baseName, m.wireSize])).toEqual([
      ['1.sized,S=4,W=999', 999],
      ['2.plain', 6],
      ['3.big', (3 << 20) * 1.5],
    ]);
    expect(listed[0]!.version).toBeUndefined();
    expect(listed[1]!.version?.size).toBe(4);
  });
});

describe('sizes in names', () => {
  it('reads W= as parseNameSizes does', async () => {
    const maildir = await tempMaildir();
    const names = ['1.a,S=4,W=6', '2.b,W=6,S=4', '3.c,W=6x', '4.d,W=7,W=6', '5.e,W=6,W=', '6.f,W=', '7.g', `8.h,W=${'9'.repeat(20)}`];
    for (const name of names) await put(maildir, `new/${name}`, 'a\nb\n');
    const listed = await scanMaildir(maildir, { sizes: new WireSizeCache() });
    expect(listed.map((m) => m.wireSize)).toEqual(names.map((name) => parseNameSizes(name).wire ?? 6));
  });
});

describe('size cache file', () => {
  const listing = (maildir: string): CachedListing => ({
    stamps: ['1:2:3', '4:5:6'],
    settled: true,
    messages: [
      { dir: 'cur', name: '1.a:2,S', baseName: '1.a', path: join(maildir, 'cur', '1.a:2,S'), wireSize: 10, version: { size: 8, mtimeMs: 1.5 } },
      { dir: 'new', name: '2.b,W=7', baseName: '2.b,W=7', path: join(maildir, 'new', '2.b,W=7'), wireSize: 7, version: undefined },
    ],
  });

  it('takes a file of the earlier JSON format for no file at all', async () => {
    const maildir = await tempMaildir();
    await put(maildir, SIZE_CACHE_NAME, 'pop3d-sizes 1 0123\n{"stamps":[],"settled":true,"messages":[]}');
    expect(await readSizeCache(maildir)).toBeUndefined();
  });

  it('removes temporaries abandoned by a crash, not ones that may still be written', async () => {
    const maildir = await tempMaildir();
    const abandoned = await put(maildir, `${SIZE_CACHE_NAME}.123.abcdef.tmp`, 'half a ca');
    await utimes(abandoned, PAST, PAST);
    await put(maildir, `${SIZE_CACHE_NAME}.124.abcdef.tmp`, 'being writ');
    await writeSizeCache(maildir, listing(maildir));
    expect((await readdir(maildir)).sort()).toEqual(['cur', 'new', SIZE_CACHE_NAME, `${SIZE_CACHE_NAME}.124.abcdef.tmp`, 'tmp']);
  });

  it('writes, in slices, the bytes encodeSizeCache makes', async () => {
    const maildir = await tempMaildir();
    const one = listing(maildir).messages[0]!;
    const messages = Array.from({ length: 25_000 }, (_, i) => ({ ...one, name: `${i}.m:2,S`, baseName: `${i}.m`, path: join(maildir, 'cur', `${i}.m:2,S`) }));
    const many: CachedListing = { ...listing(maildir), messages };
    await writeSizeCache(maildir, many);
    const bytes = await readFile(join(maildir, SIZE_CACHE_NAME));
    expect(bytes.equals(encodeSizeCache(many))).toBe(true);
    expect(decodeSizeCache(maildir, bytes)).toEqual(many);
  });

  it('is replaced atomically, leaving no temporary file', async () => {
    const maildir = await tempMaildir();
    expect(await readSizeCache(maildir)).toBeUndefined();
    await writeSizeCache(maildir, listing(maildir));
    await writeSizeCache(maildir, { ...listing(maildir), settled: false });
    expect((await readSizeCache(maildir))?.settled).toBe(false);
    expect((await readdir(maildir)).sort()).toEqual(['cur', 'new', SIZE_CACHE_NAME, 'tmp']);
  });
});

describe('ListingIndex', () => {
  it('lists like scanMaildir, and persists the sizes it measured', async () => {
    const maildir = await tempMaildir();
    await put(maildir, 'new/1.a', 'a\n');
    await put(maildir, 'cur/2.b:2,S', 'b\nb\n');
    const first = index();
    expect(sizesOf(await first.list(maildir))).toEqual([3, 6]);
    await first.flushed();
    const cached = await readSizeCache(maildir);
    expect(cached?.messages.map((m) => [m.name, m.wireSize])).toEqual([
      ['1.a', 3],
      ['2.b:2,S', 6],
    ]);
  });

  it('after a restart, uses the cache file for files whose size and mtime are unchanged', async () => {
    const maildir = await tempMaildir();
    const kept = await put(maildir, 'new/1.kept', '\n\n\n\n');
    const touched = await put(maildir, 'new/2.touched', '\n\n\n\n');
    await utimes(kept, PAST, PAST);
    await utimes(touched, PAST, PAST);
    const before = index({ settleMs: 60_000 });
    expect(sizesOf(await before.list(maildir))).toEqual([8, 8]);
    await before.flushed();
    // Same length and mtime, other content: only the cache can still say 8.
    await rewriteKeepingVersion(kept, 'abc\n');
    await writeFile(touched, 'abc\n'); // new mtime: measured again
    const after = index({ settleMs: 60_000 });
    expect(sizesOf(await after.list(maildir))).toEqual([8, 5]);
  });

  it('reuses the listing of settled, unchanged directories without reading them', async () => {
    const maildir = await tempMaildir();
    const path = await put(maildir, 'new/1.a', 'a\n');
    const listingIndex = settledIndex();
    expect(sizesOf(await listingIndex.list(maildir))).toEqual([3]);
    // Rewritten in place (never done to Maildir mail): the directories do not change, so this goes unseen...
    await writeFile(path, 'a\na\na\n');
    await utimes(path, PAST + 1, PAST + 1);
    expect(sizesOf(await listingIndex.list(maildir))).toEqual([3]);
    // ...as it does after a restart, from the cache file.
    await listingIndex.flushed();
    expect(sizesOf(await settledIndex().list(maildir))).toEqual([3]);
  });

  it('notices every change to cur/ or new/: delivery, move, flag change, deletion', async () => {
    const maildir = await tempMaildir();
    await put(maildir, 'new/1.a', 'a\n');
    const listingIndex = settledIndex();
    const names = async (): Promise<string[]> => (await listingIndex.list(maildir)).map((m) => m.path.slice(maildir.length + 1));
    expect(await names()).toEqual(['new/1.a']);
    await tick();
    await put(maildir, 'new/2.b', 'b\n');
    expect(await names()).toEqual(['new/1.a', 'new/2.b']);
    await tick();
    await rename(join(maildir, 'new/1.a'), join(maildir, 'cur/1.a:2,'));
    expect(await names()).toEqual(['cur/1.a:2,', 'new/2.b']);
    await tick();
    await rename(join(maildir, 'cur/1.a:2,'), join(maildir, 'cur/1.a:2,S'));
    expect(await names()).toEqual(['cur/1.a:2,S', 'new/2.b']);
    await tick();
    await unlink(join(maildir, 'new/2.b'));
    expect(await names()).toEqual(['cur/1.a:2,S']);
  });

  it('does not trust directories that changed just before they were read', async () => {
    const maildir = await tempMaildir();
    const path = await put(maildir, 'new/1.a', 'a\n');
    const listingIndex = index({ settleMs: 60_000 });
    expect(sizesOf(await listingIndex.list(maildir))).toEqual([3]);
    // Same directory stamps, but they were too fresh to stand for the listing: the file is checked again.
    await writeFile(path, 'a\na\na\n');
    expect(sizesOf(await listingIndex.list(maildir))).toEqual([9]);
  });

  it('ignores a damaged or torn cache file, says so, and replaces it', async () => {
    const maildir = await tempMaildir();
    await put(maildir, 'new/1.a', 'a\n');
    const first = settledIndex();
    await first.list(maildir);
    await first.flushed();
    const file = join(maildir, SIZE_CACHE_NAME);
    const bytes = await readFile(file);
    const damaged = Buffer.from(bytes);
    damaged[damaged.lastIndexOf('1.a') + 2] = 0x62; // 1.b
    await writeFile(file, damaged);
    const logger = recordingLogger();
    const second = settledIndex({ logger });
    expect(sizesOf(await second.list(maildir))).toEqual([3]);
    expect(logger.messages).toEqual(['ignoring the size cache']);
    await second.flushed();
    expect((await readSizeCache(maildir))?.messages[0]?.wireSize).toBe(3);
    await writeFile(file, bytes.subarray(0, bytes.length / 2));
    expect(sizesOf(await index().list(maildir))).toEqual([3]);
  });

  it('puts off writing a large listing, so that the next command is not held up; a small one is not', async () => {
    const maildir = await tempMaildir();
    for (let i = 0; i < 3; i++) await put(maildir, `new/${i}.m,W=2`, 'x\n');
    const deferred = index({ deferFrom: 3, writeDelayMs: 400 });
    const listedAt = Date.now();
    await deferred.list(maildir);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await readSizeCache(maildir)).toBeUndefined();
    await deferred.flushed();
    expect(Date.now() - listedAt).toBeGreaterThanOrEqual(400);
    expect((await readSizeCache(maildir))?.messages).toHaveLength(3);
    // Two messages fewer than deferFrom: written straight away (well within the delay a large one waits).
    await unlink(join(maildir, SIZE_CACHE_NAME));
    const prompt = index({ deferFrom: 4, writeDelayMs: 60_000 });
    await prompt.list(maildir);
    await prompt.flushed();
    expect((await readSizeCache(maildir))?.messages).toHaveLength(3);
  });

  it('writes no file for small Maildirs, or when persistence is off', async () => {
    const maildir = await tempMaildir();
    await put(maildir, 'new/1.a', 'a\n');
    for (const listingIndex of [index({ persistFrom: 2 }), index({ persist: false })]) {
      await listingIndex.list(maildir);
      await listingIndex.flushed();
    }
    expect(await readSizeCache(maildir)).toBeUndefined();
  });

  it('keeps at most maxMessages in memory, and still lists what it dropped', async () => {
    const one = await tempMaildir();
    const two = await tempMaildir();
    for (const maildir of [one, two]) await put(maildir, 'new/1.a', 'a\n');
    const listingIndex = settledIndex({ maxMessages: 1, persist: false });
    await listingIndex.list(one);
    await listingIndex.list(two);
    // Rewritten in place: the directory is unchanged, so only a fresh scan (one's listing was dropped for
    // two's) sees the new size.
    await writeFile(join(one, 'new/1.a'), 'a\na\n');
    expect(sizesOf(await listingIndex.list(one))).toEqual([6]);
    expect(sizesOf(await listingIndex.list(one))).toEqual([6]);
  });
});

describe('MaildirStore with the size cache', () => {
  it('has written the cache file by the time the session ends', async () => {
    const maildir = await tempMaildir();
    for (let i = 0; i < 120; i++) await put(maildir, `new/${1_700_000_000 + i}.m${i}`, `message ${i}\n`);
    const store = new MaildirStore({ locate: async () => maildir, staleMs: 2000, autocreate: false });
    const user = maildir.split('/').at(-2)!;
    const maildrop = await store.open(user);
    await maildrop.release();
    const cached = await readSizeCache(maildir);
    expect(cached?.messages).toHaveLength(120);
    expect(cached?.messages.map((m) => m.wireSize)).toEqual(maildrop.messages.map((m) => m.size));
  });
});
