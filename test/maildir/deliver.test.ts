import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { deliverToMaildir, EmptyMessageError } from '../../src/maildir/deliver.js';
import { ensureMaildir } from '../../src/maildir/ensure.js';
import { parseNameSizes } from '../../src/sizes/wire-size.js';
import { put, tempDir, tempMaildir } from '../support/temp-dir.js';

async function contents(maildir: string, sub: string): Promise<string[]> {
  return readdir(join(maildir, sub));
}

describe('deliverToMaildir', () => {
  it('puts the message in new/ with S= and W=, leaving tmp/ empty', async () => {
    const maildir = await tempMaildir();
    const message = 'Subject: x\n\nbody\nlast';
    const delivered = await deliverToMaildir(maildir, Buffer.from(message), { hostname: 'mx/1:2' });
    expect(delivered).toMatchObject({ size: 21, wireSize: 26 });
    expect(await contents(maildir, 'new')).toEqual([basename(delivered.path)]);
    expect(basename(delivered.path)).toMatch(/\.mx\\0571\\0722,S=21,W=26$/u);
    expect(parseNameSizes(basename(delivered.path))).toEqual({ stored: 21, wire: 26 });
    expect(await readFile(delivered.path, 'utf8')).toBe(message);
    expect(await contents(maildir, 'tmp')).toEqual([]);
  });

  it('streams a Readable split across chunks, CRLF pairs included', async () => {
    const maildir = await tempMaildir();
    const delivered = await deliverToMaildir(maildir, Readable.from([Buffer.from('a\r'), Buffer.from('\nb\n'), 'c\n']));
    expect(delivered).toMatchObject({ size: 7, wireSize: 9 });
  });

  it('leaves nothing in new/ or tmp/ when the source fails', async () => {
    const maildir = await tempMaildir();
    async function* failing() {
      yield Buffer.from('partial\n');
      throw new Error('connection lost');
    }
    await expect(deliverToMaildir(maildir, Readable.from(failing()))).rejects.toThrow('connection lost');
    expect(await contents(maildir, 'new')).toEqual([]);
    expect(await contents(maildir, 'tmp')).toEqual([]);
  });

  it('refuses an empty message, leaving nothing behind', async () => {
    const maildir = await tempMaildir();
    await expect(deliverToMaildir(maildir, Buffer.alloc(0))).rejects.toBeInstanceOf(EmptyMessageError);
    expect(await contents(maildir, 'new')).toEqual([]);
    expect(await contents(maildir, 'tmp')).toEqual([]);
  });

  it('creates a missing Maildir, private to its owner', async () => {
    const maildir = join(await tempDir(), 'bob', 'Maildir');
    await deliverToMaildir(maildir, Buffer.from('hi\n'));
    expect((await contents(maildir, 'new')).length).toBe(1);
    for (const sub of ['cur', 'new', 'tmp']) expect((await stat(join(maildir, sub))).mode & 0o077).toBe(0);
  });
});

describe('ensureMaildir', () => {
  it('creates the Maildir and delivers the welcome message once', async () => {
    const root = await tempDir();
    const welcome = await put(root, 'welcome.eml', 'Subject: welcome\n\nhello\n');
    const maildir = join(root, 'alice', 'Maildir');
    expect(await ensureMaildir(maildir, welcome)).toBe(true);
    expect(await ensureMaildir(maildir, welcome)).toBe(false);
    const [name, ...rest] = await contents(maildir, 'new');
    expect(rest).toEqual([]);
    expect(await readFile(join(maildir, 'new', name!), 'utf8')).toBe('Subject: welcome\n\nhello\n');
    expect(await contents(maildir, 'cur')).toEqual([]);
  });

  it('completes an existing Maildir without a welcome message', async () => {
    const root = await tempDir();
    const welcome = await put(root, 'welcome.eml', 'hello\n');
    const maildir = join(root, 'Maildir');
    await put(maildir, 'new/1.old', 'x\n');
    expect(await ensureMaildir(maildir, welcome)).toBe(false);
    expect((await readdir(maildir)).sort()).toEqual(['cur', 'new', 'tmp']);
    expect(await contents(maildir, 'new')).toEqual(['1.old']);
  });

  it('agrees on a single creator under concurrency', async () => {
    const maildir = join(await tempDir(), 'Maildir');
    const created = await Promise.all(Array.from({ length: 8 }, () => ensureMaildir(maildir)));
    expect(created.filter(Boolean)).toHaveLength(1);
  });
});
