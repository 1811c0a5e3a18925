import { symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanMaildir, type ScannedMessage } from '../../src/maildir/listing.js';
import { measureHere, RESULT_FIELDS, type MeasureKind } from '../../src/sizes/measure-files.js';
import { MeasurePool } from '../../src/sizes/measure-pool.js';
import { WireSizeCache } from '../../src/sizes/wire-size-cache.js';
import { put, tempMaildir } from '../support/temp-dir.js';

const pool = new MeasurePool(2, 100);
/** Whole seconds: an mtime long before any scan. */
const PAST = 1_700_000_000;

/** A Maildir with a bit of everything a listing must tell apart. */
async function mixedMaildir(): Promise<string> {
  const maildir = await tempMaildir();
  for (let i = 0; i < 30; i++) await put(maildir, `new/${1_700_000_000 + i}.m${i}`, 'line\n'.repeat(i) + (i % 3 === 0 ? 'end' : ''));
  await put(maildir, 'new/1.crlf', 'a\r\nb\r\n');
  await put(maildir, 'cur/2.flagged:2,S', 'a\nb\n');
  await put(maildir, 'new/3.twice', 'in new\n');
  await put(maildir, 'cur/3.twice:2,S', 'in cur, which wins\n');
  await put(maildir, 'new/4.sized,S=4,W=999', 'a\nb\n');
  await put(maildir, 'cur/5.large:2,', Buffer.alloc((1 << 20) + 10, 'x\n'));
  await put(maildir, 'new/.6.hidden', 'x\n');
  await symlink('/etc/hostname', join(maildir, 'new', '7.link'));
  return maildir;
}

const summary = (messages: readonly ScannedMessage[]): unknown[] => messages.map((m) => [m.dir, m.name, m.wireSize, m.version?.size]);

describe('scanMaildir in worker threads', () => {
  it('lists exactly what a scan on this thread lists', async () => {
    const maildir = await mixedMaildir();
    const here = await scanMaildir(maildir, { sizes: new WireSizeCache() });
    const there = await scanMaildir(maildir, { sizes: new WireSizeCache(), jobFiles: 4, pool });
    expect(summary(there)).toEqual(summary(here));
    expect(there.find((m) => m.baseName === '3.twice')?.dir).toBe('cur');
    expect(there.find((m) => m.baseName === '5.large')?.wireSize).toBe(((1 << 20) + 10) * 1.5);
    expect(there.map((m) => m.baseName)).not.toContain('7.link');
  });

  it('checks cached sizes with a stat, and measures again what changed or drops what went', async () => {
    const maildir = await mixedMaildir();
    const sizes = new WireSizeCache();
    const first = await scanMaildir(maildir, { sizes, jobFiles: 4, pool });
    await writeFile(join(maildir, 'new/1.crlf'), 'a\nb\nc\n');
    await unlink(join(maildir, 'cur/2.flagged:2,S'));
    const second = await scanMaildir(maildir, { sizes, jobFiles: 4, pool });
    expect(second.find((m) => m.baseName === '1.crlf')?.wireSize).toBe(9);
    expect(second.map((m) => m.baseName)).toEqual(first.map((m) => m.baseName).filter((name) => name !== '2.flagged'));
    const fresh = await scanMaildir(maildir, { sizes: new WireSizeCache() });
    expect(summary(second)).toEqual(summary(fresh));
  });

  it('remembers sizes in memory only for Maildirs smaller than rememberBelow', async () => {
    const maildir = await tempMaildir();
    for (const name of ['1.a', '2.b', '3.c']) await put(maildir, `new/${name}`, 'x\n');
    const large = new WireSizeCache();
    await scanMaildir(maildir, { sizes: large, rememberBelow: 3 });
    expect(large.has(maildir, '1.a')).toBe(false);
    const small = new WireSizeCache();
    await scanMaildir(maildir, { sizes: small, rememberBelow: 4, jobFiles: 2, pool, settledBefore: Number.POSITIVE_INFINITY });
    expect(['1.a', '2.b', '3.c'].map((name) => small.has(maildir, name))).toEqual([true, true, true]);
  });

  it('gives a file read the version it has when it cannot have changed since it was read', async () => {
    const maildir = await tempMaildir();
    const old = await put(maildir, 'new/1.old', 'a\nb\n');
    await utimes(old, PAST, PAST);
    await put(maildir, 'new/2.new', 'a\n');
    // In the other directory, read in a job of its own: its stat too.
    await utimes(await put(maildir, 'cur/3.seen:2,S', 'abc\n'), PAST, PAST);
    for (const jobFiles of [1, 100]) {
      const listed = await scanMaildir(maildir, { sizes: new WireSizeCache(), jobFiles, pool });
      expect(listed.map((m) => m.version)).toEqual([{ size: 4, mtimeMs: PAST * 1000 }, undefined, { size: 4, mtimeMs: PAST * 1000 }]);
    }
    const trusting = await scanMaildir(maildir, { sizes: new WireSizeCache(), settledBefore: Date.now() + 60_000 });
    expect(trusting[1]?.version?.size).toBe(2);
  });

  it('gives no version to a file whose size is not what was read, as when it changed in between', async () => {
    class ChangingPool extends MeasurePool {
      override async run(kind: MeasureKind, dir: string, names: readonly string[], readMax: number): Promise<Float64Array> {
        const out = await measureHere(kind, dir, names, readMax);
        if (kind === 'stat') for (let at = 0; at < out.length; at += RESULT_FIELDS) out[at + 1]! += 1;
        return out;
      }
    }
    const maildir = await tempMaildir();
    await utimes(await put(maildir, 'new/1.a', 'a\n'), PAST, PAST);
    const listed = await scanMaildir(maildir, { sizes: new WireSizeCache(), jobFiles: 1, pool: new ChangingPool(1, 100) });
    expect(listed.map((m) => [m.wireSize, m.version])).toEqual([[3, undefined]]);
  });
});
