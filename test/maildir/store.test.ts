import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm, stat, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { MaildropLockedError, MaildropUnavailableError, type Maildrop } from '../../src/maildrop/maildrop.js';
import { maildirFor } from '../../src/maildir/path.js';
import { MaildirStore, type MaildirStoreOptions } from '../../src/maildir/store.js';
import { put, tempDir } from '../support/temp-dir.js';

const USER = 'alice';

/**
 * A root with alice's Maildir (cur/ new/ tmp/) and a store over `<root>/%u/Maildir`; without flag updates
 * unless asked (these tests place files where they want them; test/maildir/flags.test.ts moves them).
 */
async function setup(options: Partial<MaildirStoreOptions> = {}) {
  const root = await tempDir();
  const maildir = join(root, USER, 'Maildir');
  await Promise.all(['cur', 'new', 'tmp'].map((sub) => mkdir(join(maildir, sub), { recursive: true })));
  const store = new MaildirStore({ locate: async (user) => maildirFor(join(root, '%u', 'Maildir'), user), staleMs: 2000, autocreate: false, flagUpdates: false, ...options });
  return { root, maildir, store };
}

async function readAll(maildrop: Maildrop): Promise<string[]> {
  return Promise.all(maildrop.messages.map((_, i) => text(maildrop.read(i))));
}

describe('MaildirStore.open', () => {
  it('numbers messages of new/ and cur/ oldest first, by timestamp then name', async () => {
    const { maildir, store } = await setup();
    await put(maildir, 'cur/1700000002.a.host:2,S', 'third\n');
    await put(maildir, 'new/1700000001.b.host', 'second\n');
    await put(maildir, 'new/999999999.z.host', 'first\n');
    await put(maildir, 'cur/1700000002.b.host:2,', 'fourth\n');
    const maildrop = await store.open(USER);
    expect(await readAll(maildrop)).toEqual(['first\n', 'second\n', 'third\n', 'fourth\n']);
    await maildrop.release();
  });

  it('lists only regular, non-hidden files of new/ and cur/', async () => {
    const { maildir, store } = await setup();
    await put(maildir, 'new/1.mail.host', 'x\n');
    await put(maildir, 'tmp/2.writing.host', 'x\n');
    await put(maildir, 'new/.3.hidden', 'x\n');
    await mkdir(join(maildir, 'cur', '4.dir'));
    await symlink('/etc/passwd', join(maildir, 'cur', '5.link'));
    const maildrop = await store.open(USER);
    expect(maildrop.messages.map((m) => m.uid)).toEqual(['1.mail.host']);
    await maildrop.release();
  });

  it('gives UIDLs that are unique, legal and stable across sessions and moves', async () => {
    const { maildir, store } = await setup();
    await put(maildir, 'new/1.short.host', 'a\n');
    await put(maildir, `new/2.${'long'.repeat(20)}.host`, 'b\n');
    await put(maildir, 'cur/3.with space:2,S', 'c\n');
    const first = await store.open(USER);
    const uids = first.messages.map((m) => m.uid);
    await first.release();
    expect(new Set(uids).size).toBe(3);
    for (const uid of uids) expect(uid).toMatch(/^[\x21-\x7e]{1,70}$/u);

    await rename(join(maildir, 'new/1.short.host'), join(maildir, 'cur/1.short.host:2,S'));
    const second = await store.open(USER);
    expect(second.messages.map((m) => m.uid)).toEqual(uids);
    await second.release();
  });

  it('reports wire sizes, and trusts W= in the name', async () => {
    const { maildir, store } = await setup();
    await put(maildir, 'new/1.lf', 'a\nb\n');
    await put(maildir, 'new/2.crlf', 'a\r\nb\r\n');
    await put(maildir, 'new/3.mixed', 'a\r\nb\n');
    await put(maildir, 'new/4.unterminated', 'a\nb');
    await put(maildir, 'new/5.empty', '');
    await put(maildir, 'new/6.dovecot,S=4,W=999', 'a\nb\n');
    const maildrop = await store.open(USER);
    expect(maildrop.messages.map((m) => m.size)).toEqual([6, 6, 6, 6, 0, 999]);
    await maildrop.release();
  });

  it('rescans a message only when its size or mtime changed', async () => {
    const { maildir, store } = await setup();
    const path = await put(maildir, 'new/1.m', '\n\n\n\n');
    // Whole seconds, so restoring the mtime below restores it exactly.
    const mtime = 1_700_000_000;
    await utimes(path, mtime, mtime);
    const sizeNow = async () => {
      const maildrop = await store.open(USER);
      await maildrop.release();
      return maildrop.messages[0]?.size;
    };
    expect(await sizeNow()).toBe(8);
    await writeFile(path, 'abc\n');
    await utimes(path, mtime, mtime);
    expect(await sizeNow()).toBe(8);
    await utimes(path, mtime, mtime + 5);
    expect(await sizeNow()).toBe(5);
  });

  it('refuses a missing Maildir (never an empty maildrop), naming the path, and creates nothing', async () => {
    const { root, store } = await setup();
    await expect(store.open('bob')).rejects.toThrow(new MaildropUnavailableError(`no Maildir at ${join(root, 'bob', 'Maildir')} for bob`));
    await expect(stat(join(root, 'bob'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('creates a missing Maildir with the welcome message when configured', async () => {
    const root = await tempDir();
    const welcomeFile = await put(root, 'welcome.eml', 'Subject: hi\n\nwelcome\n');
    const store = new MaildirStore({ locate: async (user) => maildirFor(join(root, '%u', 'Maildir'), user), staleMs: 2000, autocreate: true, welcomeFile });
    const maildrop = await store.open('bob');
    expect(await readAll(maildrop)).toEqual(['Subject: hi\n\nwelcome\n']);
    await maildrop.release();
    const again = await store.open('bob');
    expect(again.messages).toHaveLength(1);
    await again.release();
  });

  it('refuses an unsafe user name', async () => {
    const { store } = await setup();
    await expect(store.open('../alice')).rejects.toBeInstanceOf(MaildropUnavailableError);
  });

  it('rejects, and releases the lock, when listing fails', async () => {
    const { maildir, store } = await setup();
    await rm(join(maildir, 'cur'), { recursive: true });
    await writeFile(join(maildir, 'cur'), 'not a directory');
    await expect(store.open(USER)).rejects.toBeInstanceOf(MaildropUnavailableError);
    await rm(join(maildir, 'cur'));
    await mkdir(join(maildir, 'cur'));
    await (await store.open(USER)).release();
  });

  // As root the file stays readable (CAP_DAC_OVERRIDE); test/sizes/measure-files.test.ts covers the refusal itself.
  it.skipIf(process.getuid?.() === 0)('leaves out a message file it may not read, and lists the rest', async () => {
    const { maildir, store } = await setup();
    await put(maildir, 'new/1.a', 'a\n');
    const locked = await put(maildir, 'new/2.locked', 'b\n');
    await put(maildir, 'new/3.c', 'c\n');
    await chmod(locked, 0o000);
    const maildrop = await store.open(USER);
    expect(maildrop.messages.map((m) => m.uid)).toEqual(['1.a', '3.c']);
    await maildrop.release();
    // Readable again: the next login lists it, though the directory did not change.
    await chmod(locked, 0o600);
    const next = await store.open(USER);
    expect(next.messages.map((m) => m.uid)).toEqual(['1.a', '2.locked', '3.c']);
    await next.release();
  });

  it('refuses a second session while the first holds the lock, leaving the first intact', async () => {
    const { maildir, store } = await setup();
    await put(maildir, 'new/1.m', 'one\n');
    const first = await store.open(USER);
    await expect(store.open(USER)).rejects.toBeInstanceOf(MaildropLockedError);
    expect(await readAll(first)).toEqual(['one\n']);
    expect(await first.commit(new Set([0]))).toEqual({ removed: 1, failed: 0 });
    const second = await store.open(USER);
    expect(second.messages).toEqual([]);
    await second.release();
  });
});

describe('Maildrop', () => {
  it('read errors for a vanished message, while the others still read', async () => {
    const { maildir, store } = await setup();
    await put(maildir, 'new/1.a', 'a\n');
    const gone = await put(maildir, 'new/2.b', 'b\n');
    await put(maildir, 'new/3.c', 'c\n');
    const maildrop = await store.open(USER);
    await unlink(gone);
    await expect(text(maildrop.read(1))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await text(maildrop.read(0))).toBe('a\n');
    expect(await text(maildrop.read(2))).toBe('c\n');
    await maildrop.release();
  });

  it("refuses a FIFO put in a message's place after the listing, for that message alone, and never waits on it", async () => {
    const { maildir, store } = await setup();
    await put(maildir, 'new/1.a', 'a\n');
    const small = await put(maildir, 'new/2.small', 'b\n');
    // Large enough to be streamed rather than read at once.
    const large = await put(maildir, 'new/3.large', 'c'.repeat(200_000));
    const maildrop = await store.open(USER);
    for (const path of [small, large]) {
      await unlink(path);
      execFileSync('mkfifo', [path]);
    }
    // A writer holding a FIFO open (with nothing written) would block a plain open-and-read for good.
    const writer = openSync(large, constants.O_RDWR);
    try {
      expect(maildrop.readAtOnce?.(1)).toBeUndefined();
      await expect(text(maildrop.read(1))).rejects.toMatchObject({ code: 'EFTYPE' });
      await expect(text(maildrop.read(2))).rejects.toMatchObject({ code: 'EFTYPE' });
      expect(await text(maildrop.read(0))).toBe('a\n');
    } finally {
      closeSync(writer);
    }
    await maildrop.release();
  });

  it('follows a message another tool moved to cur/', async () => {
    const { maildir, store } = await setup();
    await put(maildir, 'new/1.a', 'a\n');
    const maildrop = await store.open(USER);
    await rename(join(maildir, 'new/1.a'), join(maildir, 'cur/1.a:2,S'));
    expect(await text(maildrop.read(0))).toBe('a\n');
    await maildrop.release();
  });

  it('commit removes exactly the marked messages, moved or already gone ones included', async () => {
    const { maildir, store } = await setup();
    for (const name of ['1.keep', '2.delete', '3.moved', '4.gone', '5.keep']) await put(maildir, `new/${name}`, `${name}\n`);
    const maildrop = await store.open(USER);
    await rename(join(maildir, 'new/3.moved'), join(maildir, 'cur/3.moved:2,S'));
    await unlink(join(maildir, 'new/4.gone'));
    expect(await maildrop.commit(new Set([1, 2, 3]))).toEqual({ removed: 3, failed: 0 });
    expect([...(await readdir(join(maildir, 'new'))), ...(await readdir(join(maildir, 'cur')))].sort()).toEqual([
      '1.keep',
      '5.keep',
    ]);
    await expect(maildrop.release()).resolves.toBeUndefined();
    expect(() => maildrop.read(0)).toThrow(/released/u);
  });

  it('release without commit deletes nothing, and may be repeated', async () => {
    const { maildir, store } = await setup();
    await put(maildir, 'new/1.a', 'a\n');
    const maildrop = await store.open(USER);
    await maildrop.release();
    await maildrop.release();
    await expect(maildrop.commit(new Set([0]))).rejects.toThrow(/released/u);
    expect(await readdir(join(maildir, 'new'))).toEqual(['1.a']);
  });
});
