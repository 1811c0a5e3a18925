import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFileNames } from '../../src/maildir/dir-entries.js';
import { hasEscapedBytes, nameBytes, nameFromBytes } from '../../src/maildir/file-names.js';
import { tempDir } from '../support/temp-dir.js';

const bytesOf = (text: string): Buffer => Buffer.from(text, 'latin1');

async function namesIn(dir: string): Promise<string[]> {
  const names: string[] = [];
  await readFileNames(dir, (name, escaped) => {
    expect(escaped).toBe(hasEscapedBytes(name));
    names.push(name);
  });
  return names.sort();
}

describe('readFileNames', () => {
  it('takes each regular file once, names that are not UTF-8 byte for byte, and no dotfile, symlink or folder', async () => {
    const dir = await tempDir();
    const plain = ['1700000000.M1P2.host', '1700000001.M2P2.host:2,S', 'caf\u00e9', 'literal\uFFFDreplacement'];
    for (const name of plain) writeFileSync(join(dir, name), 'x');
    const odd = [bytesOf('1700000002.\xff\xfe.x:2,S'), bytesOf('1700000003.caf\xe9.x')];
    for (const name of odd) writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), name]), 'x');
    writeFileSync(join(dir, '.hidden'), 'x');
    symlinkSync(join(dir, plain[0]!), join(dir, '1700000004.M3P2.link'));
    mkdirSync(join(dir, '1700000005.M4P2.folder'));
    const names = await namesIn(dir);
    expect(names).toEqual([...plain, ...odd.map(nameFromBytes)].sort());
    // Each leads back to the bytes of its file.
    expect(names.filter((name) => !plain.includes(name)).map(nameBytes)).toEqual(expect.arrayContaining(odd));
  });

  it('takes every file of a directory read in many batches', async () => {
    const dir = await tempDir();
    const plain = Array.from({ length: 1_000 }, (_, i) => `${1_700_000_000 + i}.M${i}P1.host`);
    for (const name of plain) writeFileSync(join(dir, name), '');
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), bytesOf('odd\xff')]), '');
    expect(await namesIn(dir)).toEqual([...plain, nameFromBytes(bytesOf('odd\xff'))].sort());
  });
});
