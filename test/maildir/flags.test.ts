import { readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { curName, withFlag } from '../../src/maildir/flags.js';
import { MaildirStore, type MaildirStoreOptions } from '../../src/maildir/store.js';
import { maildirFor } from '../../src/maildir/path.js';
import { put, tempDir } from '../support/temp-dir.js';

const USER = 'alice';

async function setup(options: Partial<MaildirStoreOptions> = {}) {
  const root = await tempDir();
  const maildir = join(root, USER, 'Maildir');
  for (const sub of ['cur', 'new', 'tmp']) await put(maildir, `${sub}/.keep`, '');
  const store = new MaildirStore({ locate: async (user) => maildirFor(join(root, '%u', 'Maildir'), user), staleMs: 2000, autocreate: false, ...options });
  return { maildir, store };
}

const files = async (maildir: string, dir: string) => (await readdir(join(maildir, dir))).filter((n) => n !== '.keep').sort();

describe('flag names', () => {
  it('adds a flag in ASCII order, once, after :2, or !2,', () => {
    expect(withFlag('1.a', 'S')).toBe('1.a:2,S');
    expect(withFlag('1.a:2,', 'S')).toBe('1.a:2,S');
    expect(withFlag('1.a:2,FT', 'S')).toBe('1.a:2,FST');
    expect(withFlag('1.a:2,S', 'S')).toBe('1.a:2,S');
    expect(withFlag('1.a!2,R', 'S')).toBe('1.a!2,RS');
    expect(curName('1.a')).toBe('1.a:2,');
    expect(curName('1.a:2,S')).toBe('1.a:2,S');
  });
});

describe('flag updates beside an IMAP server', () => {
  it('moves new/ to cur/ with :2, at login, and RETR (not TOP) adds S at once', async () => {
    const { maildir, store } = await setup();
    await put(maildir, 'new/1.a.host', 'one\n');
    await put(maildir, 'new/2.b.host', 'two\n');
    await put(maildir, 'cur/3.c.host:2,F', 'three\n');
    const maildrop = await store.open(USER);
    expect(await files(maildir, 'new')).toEqual([]);
    expect(await files(maildir, 'cur')).toEqual(['1.a.host:2,', '2.b.host:2,', '3.c.host:2,F']);
    expect(maildrop.messages.map((m) => m.uid)).toEqual(['1.a.host', '2.b.host', '3.c.host']);
    await text(maildrop.read(1)); // as TOP does: no flag
    maildrop.markSeen(0);
    maildrop.markSeen(2);
    // The renames that markSeen starts run in the background (release waits for them): poll, not sleep.
    await expect.poll(() => files(maildir, 'cur')).toEqual(['1.a.host:2,S', '2.b.host:2,', '3.c.host:2,FS']);
    // Still readable and removable under the new names.
    expect(await text(maildrop.read(0))).toBe('one\n');
    await maildrop.commit(new Set([0, 2]));
    expect(await files(maildir, 'cur')).toEqual(['2.b.host:2,']);
  });

  it('with flagUpdates false, moves and flags nothing', async () => {
    const { maildir, store } = await setup({ flagUpdates: false });
    await put(maildir, 'new/1.a.host', 'one\n');
    const maildrop = await store.open(USER);
    maildrop.markSeen(0);
    await maildrop.release();
    expect(await files(maildir, 'new')).toEqual(['1.a.host']);
    expect(await files(maildir, 'cur')).toEqual([]);
  });

  it('follows a message another process renamed, and spares one it expunged', async () => {
    const { maildir, store } = await setup();
    await put(maildir, 'cur/1.a.host:2,', 'one\n');
    await put(maildir, 'cur/2.b.host:2,', 'two\n');
    await put(maildir, 'cur/3.c.host:2,', 'three\n');
    const maildrop = await store.open(USER);
    // An IMAP client flags 1 and expunges 2 while the POP3 session is open.
    await rename(join(maildir, 'cur/1.a.host:2,'), join(maildir, 'cur/1.a.host:2,FR'));
    await unlink(join(maildir, 'cur/2.b.host:2,'));
    expect(await text(maildrop.read(0))).toBe('one\n');
    await expect(text(maildrop.read(1))).rejects.toThrow(/ENOENT/u);
    maildrop.markSeen(0);
    maildrop.markSeen(1);
    const result = await maildrop.commit(new Set([0, 1]));
    expect(result).toEqual({ removed: 2, failed: 0 });
    expect(await files(maildir, 'cur')).toEqual(['3.c.host:2,']);
  });

  it('removes tmp/ files older than 36 hours at login, and only those', async () => {
    const { maildir, store } = await setup();
    await put(maildir, 'tmp/1.fresh.host', 'x');
    const { removeOldTmpFiles } = await import('../../src/maildir/tmp-cleanup.js');
    expect(await removeOldTmpFiles(maildir, Date.now() + 35 * 3600_000)).toBe(0);
    expect(await removeOldTmpFiles(maildir, Date.now() + 37 * 3600_000)).toBe(2);
    expect(await files(maildir, 'tmp')).toEqual([]);
    await (await store.open(USER)).release();
  });
});

describe('UIDLs in uidlist mode', () => {
  it("numbers by UID, answers Dovecot's default UIDLs, lets P win, and keeps O first", async () => {
    const { maildir, store } = await setup({ uidlFormat: '%08Xu%08Xv', flagUpdates: false });
    await put(maildir, 'cur/1700000003.M5P1.host:2,S', 'c\n');
    await put(maildir, 'cur/1700000001.M9P1.host:2,', 'a\n');
    await put(maildir, 'new/1700000002.M1P1.host', 'b\n');
    await put(maildir, 'new/1700000009.M1P1.host', 'new\n');
    await put(
      maildir,
      'dovecot-uidlist',
      '3 V1796353336 N20 G0123456789abcdef0123456789abcdef\n3 :1700000003.M5P1.host\n7 POLD-UIDL :1700000001.M9P1.host\n12 O1 :1700000002.M1P1.host\n',
    );
    const maildrop = await store.open(USER);
    expect(maildrop.messages.map((m) => m.uid)).toEqual(['0000000c6b122d38', '000000036b122d38', 'OLD-UIDL', '000000146b122d38']);
    expect(await Promise.all(maildrop.messages.map((_, i) => text(maildrop.read(i))))).toEqual(['b\n', 'c\n', 'a\n', 'new\n']);
    await maildrop.release();
    expect(await readFile(join(maildir, 'dovecot-uidlist'), 'utf8')).toMatch(/ N21 .*\n20 :1700000009\.M1P1\.host\n$/su);
  });

  it('numbers files without a uidlist as Dovecot sorts them: seconds, then M<usecs>, then the rest', async () => {
    const { maildir, store } = await setup({ uidlFormat: '%u', flagUpdates: false });
    // Two parallel deliveries in one second: the inode part (I) would order them the other way.
    await put(maildir, 'new/1700000000.M900P7I1.host', 'second\n');
    await put(maildir, 'new/1700000000.M20P8I2.host', 'first\n');
    await put(maildir, 'new/1699999999.M999999P1.host', 'zeroth\n');
    const maildrop = await store.open(USER);
    expect(maildrop.messages.map((m) => m.uid)).toEqual(['1', '2', '3']);
    expect(await Promise.all(maildrop.messages.map((_, i) => text(maildrop.read(i))))).toEqual(['zeroth\n', 'first\n', 'second\n']);
    await maildrop.release();
  });

  it('answers a corrupt uidlist with an unavailable maildrop, logs it, and leaves the file as it was', async () => {
    const warnings: string[] = [];
    const { maildir, store } = await setup({ uidlFormat: '%u', logger: { warn: (_, message) => void warnings.push(message) } });
    await put(maildir, 'new/1.a.host', 'x\n');
    const corrupt = '3 V1 N5 G0123456789abcdef0123456789abcdef\n4 :1.a.host\n2 :2.b.host\n';
    await put(maildir, 'dovecot-uidlist', corrupt);
    await expect(store.open(USER)).rejects.toThrow(/cannot list the maildrop/u);
    expect(warnings.join()).toMatch(/dovecot-uidlist is corrupt at line 3/u);
    expect(await readFile(join(maildir, 'dovecot-uidlist'), 'utf8')).toBe(corrupt);
    // The lock was let go: a fixed list lets the next login in.
    await put(maildir, 'dovecot-uidlist', '3 V1 N5 G0123456789abcdef0123456789abcdef\n4 :1.a.host\n');
    await (await store.open(USER)).release();
  });
});
