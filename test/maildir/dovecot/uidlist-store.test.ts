import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { acquireDotlock } from '../../../src/lock/dotlock.js';
import { nameFromBytes } from '../../../src/maildir/file-names.js';
import { parseUidlist, UidlistCorruptError } from '../../../src/maildir/dovecot/uidlist-file.js';
import { UIDLIST_NAME, UidlistStore } from '../../../src/maildir/dovecot/uidlist-store.js';
import { put, tempMaildir } from '../../support/temp-dir.js';

const named = (...baseNames: string[]) => baseNames.map((baseName) => ({ baseName }));
const uidsOf = (text: string) => new Map(parseUidlist(text)!.records.map((r) => [r.baseName, r.uid]));

describe('UidlistStore', () => {
  it('creates a list as Dovecot would: V, N, G, UIDs from 1 in listing order', async () => {
    const maildir = await tempMaildir();
    await new UidlistStore({ now: () => 1_700_000_000 }).sync(maildir, named('1.a', '2.b'));
    const text = await readFile(join(maildir, UIDLIST_NAME), 'utf8');
    expect(text).toMatch(/^3 V1700000000 N3 G[0-9a-f]{32}\n1 :1\.a\n2 :2\.b\n$/u);
    await expect(readdir(maildir)).resolves.not.toContain(`${UIDLIST_NAME}.lock`);
    await expect(readdir(maildir)).resolves.not.toContain(`${UIDLIST_NAME}.tmp`);
  });

  it('keeps every UID it finds and gives new messages the next ones, advancing N', async () => {
    const maildir = await tempMaildir();
    await put(maildir, UIDLIST_NAME, '3 V42 N11 G0123456789abcdef0123456789abcdef Xkeep\n7 PUIDL7 :1.a\n10 :3.c\n');
    const list = await new UidlistStore().sync(maildir, named('1.a', '2.new', '3.c', '4.new'));
    expect(list.uidlist.records.map((r) => [r.baseName, r.uid])).toEqual([
      ['1.a', 7],
      ['3.c', 10],
      ['2.new', 11],
      ['4.new', 12],
    ]);
    expect(await readFile(join(maildir, UIDLIST_NAME), 'utf8')).toBe(
      '3 V42 N13 G0123456789abcdef0123456789abcdef Xkeep\n7 PUIDL7 :1.a\n10 :3.c\n11 :2.new\n12 :4.new\n',
    );
  });

  it('does not write when every message has a UID, and rereads the file when another process changed it', async () => {
    const maildir = await tempMaildir();
    const store = new UidlistStore();
    await store.sync(maildir, named('1.a'));
    const path = join(maildir, UIDLIST_NAME);
    const before = await readFile(path, 'utf8');
    await store.sync(maildir, named('1.a'));
    expect(await readFile(path, 'utf8')).toBe(before);
    // Dovecot (IMAP) numbered a message meanwhile: ours must follow.
    await writeFile(path, `${before.replace(/ N2 /u, ' N6 ')}5 :2.b\n`);
    const list = await store.sync(maildir, named('1.a', '2.b', '3.c'));
    expect(list.get('2.b')?.uid).toBe(5);
    expect(list.get('3.c')?.uid).toBe(6);
  });

  it('keeps a name that is not UTF-8 byte for byte, matching its file and going back to disk as it came', async () => {
    const maildir = await tempMaildir();
    // As Dovecot wrote it for new/1700000031.<FF FE>.x: raw bytes, no replacement characters.
    const dovecots = Buffer.concat([Buffer.from('3 V42 N17 G0123456789abcdef0123456789abcdef\n16 W91 :1700000031.'), Buffer.of(0xff, 0xfe), Buffer.from('.x\n')]);
    await writeFile(join(maildir, UIDLIST_NAME), dovecots);
    const name = nameFromBytes(Buffer.concat([Buffer.from('1700000031.'), Buffer.of(0xff, 0xfe), Buffer.from('.x')]));
    const store = new UidlistStore();
    expect((await store.sync(maildir, named(name))).get(name)?.uid).toBe(16);
    await expect(readFile(join(maildir, UIDLIST_NAME))).resolves.toEqual(dovecots);
    // A new message beside it: the file is rewritten, the odd name's bytes with it.
    await store.sync(maildir, named(name, '1700000040.b'));
    const expected = Buffer.concat([
      Buffer.from('3 V42 N18 G0123456789abcdef0123456789abcdef\n16 W91 :1700000031.'),
      Buffer.of(0xff, 0xfe),
      Buffer.from('.x\n17 :1700000040.b\n'),
    ]);
    await expect(readFile(join(maildir, UIDLIST_NAME))).resolves.toEqual(expected);
  });

  it('never rewrites a corrupt list', async () => {
    const maildir = await tempMaildir();
    const corrupt = '3 V42 N11 G0123456789abcdef0123456789abcdef\n7 :1.a\n10 :3.';
    await put(maildir, UIDLIST_NAME, corrupt);
    await expect(new UidlistStore().sync(maildir, named('1.a', '2.b'))).rejects.toThrow(UidlistCorruptError);
    expect(await readFile(join(maildir, UIDLIST_NAME), 'utf8')).toBe(corrupt);
    expect(await readdir(maildir)).not.toContain(`${UIDLIST_NAME}.lock`);
  });

  it("waits for Dovecot's dotlock, and takes over one left by a dead process", async () => {
    const maildir = await tempMaildir();
    const path = join(maildir, UIDLIST_NAME);
    const release = await acquireDotlock(path);
    const syncing = new UidlistStore().sync(maildir, named('1.a'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(readdir(maildir)).resolves.not.toContain(UIDLIST_NAME);
    await release();
    await syncing;
    // pid 2^22+1 is above Linux's pid_max default: no such process.
    const { hostname } = await import('node:os');
    await put(maildir, `${UIDLIST_NAME}.lock`, `4194305:${hostname()}`);
    const list = await new UidlistStore().sync(maildir, named('1.a', '2.b'));
    expect(list.get('2.b')?.uid).toBe(2);
  });

  it('gives every message one UID for good when two processes number new mail at once', async () => {
    const maildir = await tempMaildir();
    const worker = `
      const { UidlistStore } = await import(${JSON.stringify(new URL('../../../dist/maildir/dovecot/uidlist-store.js', import.meta.url).href)});
      const { writeFileSync, readdirSync } = await import('node:fs');
      const [maildir, tag] = process.argv.slice(1);
      const store = new UidlistStore();
      const seen = {};
      for (let i = 0; i < 40; i++) {
        writeFileSync(maildir + '/new/' + (1700000000 + i) + '.' + tag, 'x');
        const names = readdirSync(maildir + '/new').sort().map((baseName) => ({ baseName }));
        const list = await store.sync(maildir, names);
        for (const { baseName: name, uid } of list.uidlist.records) {
          if (seen[name] !== undefined && seen[name] !== uid) throw new Error('UID of ' + name + ' changed');
          seen[name] = uid;
        }
      }
      process.stdout.write(JSON.stringify(seen));`;
    const run = promisify(execFile);
    const outputs = await Promise.all(['p1', 'p2'].map((tag) => run(process.execPath, ['--input-type=module', '-e', worker, maildir, tag])));
    const final = uidsOf(await readFile(join(maildir, UIDLIST_NAME), 'utf8'));
    expect(final.size).toBe(80);
    expect(new Set(final.values()).size).toBe(80);
    for (const { stdout } of outputs) {
      for (const [name, uid] of Object.entries(JSON.parse(stdout) as Record<string, number>)) expect(final.get(name), name).toBe(uid);
    }
  });
});
