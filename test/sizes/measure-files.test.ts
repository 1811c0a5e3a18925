import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { measureFiles, measureHere, RESULT_FIELDS, Status, type MeasureKind } from '../../src/sizes/measure-files.js';
import { measureJob, MeasurePool, MeasureThreadError } from '../../src/sizes/measure-pool.js';
import { addChunk, bareLineFeeds, emptyTally, wireSize } from '../../src/sizes/wire-size.js';
import { put, tempDir } from '../support/temp-dir.js';

const READ_MAX = 1 << 20;

/** The wire size by the streaming tally of wire-size.ts: measureFiles must agree with it. */
const tallied = (content: Buffer): number => wireSize(addChunk(emptyTally, content));

/** [status, size, mtime, wire] per path. */
function rows(out: Float64Array): number[][] {
  return Array.from({ length: out.length / RESULT_FIELDS }, (_, i) => [...out.subarray(i * RESULT_FIELDS, (i + 1) * RESULT_FIELDS)]);
}

/** A directory with one file of each kind measureFiles tells apart, their names, and what it should say of each. */
async function assortment(): Promise<{ dir: string; names: string[]; paths: string[]; expected: number[][] }> {
  const dir = await tempDir();
  const contents = ['a\nb\n', 'a\r\nb\r\n', 'a\r\nb\nc', '', '\n', 'x\r', 'y'.repeat(100_000) + '\n\r\n'.repeat(40_000)];
  const paths: string[] = [];
  const expected: number[][] = [];
  for (const [i, text] of contents.entries()) {
    const content = Buffer.from(text, 'latin1');
    paths.push(await put(dir, `m${i}`, content));
    expected.push([Status.ok, content.length, tallied(content)]);
  }
  paths.push(await put(dir, 'large', Buffer.alloc(READ_MAX + 1, 'x')));
  expected.push([Status.large]);
  paths.push(join(dir, 'missing'));
  expected.push([Status.gone]);
  await symlink(paths[0]!, join(dir, 'link'));
  paths.push(join(dir, 'link'));
  expected.push([Status.gone]);
  await mkdir(join(dir, 'dir'));
  paths.push(join(dir, 'dir'));
  expected.push([Status.gone]);
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  paths.push(join(dir, 'fifo'));
  expected.push([Status.gone]);
  return { dir, names: paths.map((path) => basename(path)), paths, expected };
}

/** What 'measure' says that matters: the status, and for a file read, its size and wire size. */
const meaningful = (row: number[]): number[] => (row[0] === Status.ok ? [row[0], row[1]!, row[3]!] : [row[0]!]);

describe('measureFiles', () => {
  it('measures exactly as the streaming tally does, for any content and read size', () => {
    const dir = fs.mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'pop3d-measure-'));
    try {
      const content = fc.uint8Array({ maxLength: 300 }).chain((bytes) =>
        fc.shuffledSubarray([...bytes.keys()]).map((at) => {
          const copy = Buffer.from(bytes);
          for (const i of at) copy[i] = i % 2 === 0 ? 0x0a : 0x0d; // plenty of LFs and CRs
          return copy;
        }),
      );
      fc.assert(
        fc.property(content, fc.integer({ min: 2, max: 64 }), (bytes, bufferSize) => {
          fs.writeFileSync(join(dir, 'm'), bytes);
          const out = new Float64Array(RESULT_FIELDS);
          measureFiles(fs, { kind: 'measure', dir, names: ['m'], out, buffer: Buffer.alloc(bufferSize), readMax: READ_MAX, from: 0, until: Infinity }, bareLineFeeds);
          expect([out[0], out[1], out[3]]).toEqual([Status.ok, bytes.length, tallied(Buffer.from(bytes))]);
        }),
        { numRuns: 500 },
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tells apart measured, large and gone files (a symlink, directory or FIFO is no message)', async () => {
    const { dir, names, expected } = await assortment();
    expect(rows(await measureHere('measure', dir, names, READ_MAX)).map(meaningful)).toEqual(expected);
  });

  it('stops at its deadline, having done at least one file, and goes on from there', async () => {
    const { dir, names } = await assortment();
    const out = new Float64Array(names.length * RESULT_FIELDS);
    const task = { kind: 'stat' as MeasureKind, dir, names, out, buffer: Buffer.alloc(64), readMax: READ_MAX, until: 0 };
    expect(measureFiles(fs, { ...task, from: 0 }, bareLineFeeds)).toBe(1);
    expect(measureFiles(fs, { ...task, from: 1, until: Infinity }, bareLineFeeds)).toBe(names.length);
  });

  it('reports a file it may not open as unreadable and goes on (EACCES, EPERM); other errors are thrown', async () => {
    const { dir } = await assortment();
    fs.writeFileSync(join(dir, 'ok'), 'a\n');
    const refusing = (code: string): typeof fs =>
      ({
        ...fs,
        openSync: (path: fs.PathLike, flags: number) => {
          if (String(path).endsWith('/locked')) throw Object.assign(new Error(code), { code });
          return fs.openSync(path, flags);
        },
      }) as typeof fs;
    for (const code of ['EACCES', 'EPERM']) {
      const out = new Float64Array(2 * RESULT_FIELDS);
      const task = { kind: 'measure' as MeasureKind, dir, names: ['locked', 'ok'], out, buffer: Buffer.alloc(64), readMax: READ_MAX, from: 0, until: Infinity };
      expect(measureFiles(refusing(code), task, bareLineFeeds)).toBe(2);
      expect([out[0], out[1], out[RESULT_FIELDS], out[RESULT_FIELDS + 1]]).toEqual([Status.unreadable, code === 'EPERM' ? 1 : 0, Status.ok, 2]);
    }
    const out = new Float64Array(RESULT_FIELDS);
    const task = { kind: 'measure' as MeasureKind, dir, names: ['locked'], out, buffer: Buffer.alloc(64), readMax: READ_MAX, from: 0, until: Infinity };
    expect(() => measureFiles(refusing('EIO'), task, bareLineFeeds)).toThrow('EIO');
  });

  it('stats without reading: regular files only, symlinks not followed', async () => {
    const { dir, names, paths } = await assortment();
    const expected = paths.map((path) => {
      const stats = fs.lstatSync(path, { throwIfNoEntry: false });
      return stats?.isFile() === true ? [Status.ok, stats.size, stats.mtimeMs] : [Status.gone];
    });
    const statRow = (row: number[]): number[] => (row[0] === Status.gone ? [row[0]] : row.slice(0, 3));
    expect(rows(await measureHere('stat', dir, names, READ_MAX)).map(statRow)).toEqual(expected);
  });
});

describe('measureJob in worker threads', () => {
  it('gives what measuring on this thread gives, with jobs spread over the threads', async () => {
    const { dir, names } = await assortment();
    const pool = new MeasurePool(2, 100);
    for (const kind of ['measure', 'stat'] as const) {
      const here = rows(await measureHere(kind, dir, names, READ_MAX)).map(meaningful);
      const jobs = await Promise.all([1, 2, 3].map(() => measureJob(kind, dir, names, READ_MAX, pool)));
      for (const there of jobs) expect(rows(there).map(meaningful)).toEqual(here);
    }
  });

  it('gets every name across as it is (names go to a thread joined into one string)', async () => {
    const dir = await tempDir();
    const names = ['1.a b', '2.line\nbreak', '3.caf\u00e9\u{1f600}', '4.tab\there', '5.,W=', '6.\\0'];
    for (const [i, name] of names.entries()) await put(dir, name, 'x\n'.repeat(i + 1));
    const pool = new MeasurePool(1, 100);
    const there = rows(await measureJob('measure', dir, names, READ_MAX, pool)).map(meaningful);
    expect(there).toEqual(names.map((_, i) => [Status.ok, 2 * (i + 1), 3 * (i + 1)]));
    expect(await measureJob('measure', dir, [], READ_MAX, pool)).toHaveLength(0);
    await expect(measureJob('measure', dir, ['a\0b'], READ_MAX, pool)).rejects.toThrow(/NUL/);
  });

  it('passes a file error on, with its code', async () => {
    const pool = new MeasurePool(1, 100);
    await expect(measureJob('measure', await tempDir(), ['x'.repeat(300)], READ_MAX, pool)).rejects.toMatchObject({ code: 'ENAMETOOLONG' });
    // The thread survives it.
    const { dir, names, expected } = await assortment();
    expect(rows(await measureJob('measure', dir, names, READ_MAX, pool)).map(meaningful)).toEqual(expected);
  });

  it('measures on this thread when no thread can be had', async () => {
    class BrokenPool extends MeasurePool {
      override run(): Promise<Float64Array> {
        return Promise.reject(new MeasureThreadError(new Error('no threads')));
      }
    }
    const { dir, names, expected } = await assortment();
    const out = await measureJob('measure', dir, names, READ_MAX, new BrokenPool(2, 100));
    expect(rows(out).map(meaningful)).toEqual(expected);
  });
});
