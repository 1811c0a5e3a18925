import { execFile } from 'node:child_process';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CLI, makeSite, startSite, type RunningDaemon, type Site } from '../support/daemon.js';
import { RawClient } from '../support/pop3-client.js';
import { chownTree, mailOwner, startDovecot, type MailOwner, type RunningDovecot } from '../support/dovecot.js';

const run = promisify(execFile);
const CLIENTS = resolve(import.meta.dirname, '../support/mail-clients.py');

interface Pop3Message {
  readonly n: number;
  readonly uidl: string;
  readonly size: number;
  readonly subject: string;
}
interface ImapListing {
  readonly uidvalidity: number;
  readonly messages: readonly { readonly uid: number; readonly flags: readonly string[]; readonly subject: string }[];
}

async function client<T>(...args: (string | number)[]): Promise<T> {
  const { stdout } = await run('python3', [CLIENTS, ...args.map(String)], { timeout: 30_000 });
  return JSON.parse(stdout) as T;
}

const message = (subject: string) => `Subject: ${subject}\n\n${subject} body\n`;
/** Dovecot's default pop3_uidl_format, %08Xu%08Xv, from what IMAP says. */
const dovecotUidl = (uid: number, uidvalidity: number) => uid.toString(16).padStart(8, '0') + uidvalidity.toString(16).padStart(8, '0');

describe('taking over from Dovecot, with Dovecot IMAP beside pop3d', () => {
  let site: Site;
  let owner: MailOwner;
  let dovecot: RunningDovecot;
  let pop3d: RunningDaemon;
  let servedByDovecot: Pop3Message[];

  /** Writes a message into new/ as an MTA would, owned by the mail user. */
  const deliver = (user: string, name: string, text: string): void => {
    const path = join(site.maildir(user), 'new', name);
    writeFileSync(path, text);
    chownTree(path, owner);
  };

  beforeAll(async () => {
    owner = mailOwner();
    site = makeSite({
      users: { alice: 'secret', bob: 'secret' },
      mail: { alice: ['one', 'two', 'three', 'four'].map(message), bob: [] },
      config: {
        mail: { uidlFormat: '%08Xu%08Xv' },
        ...(owner.names === undefined ? {} : { daemon: owner.names }),
      },
    });
    // Two deliveries in one second by parallel processes: the name's order is not the delivery order.
    for (const user of ['alice', 'bob']) {
      deliver(user, '1700000100.M40P1I9.test', message(`${user} late`));
      deliver(user, '1700000100.M5P2I1.test', message(`${user} early`));
    }
    chmodSync(site.dir, 0o755);
    chmodSync(site.configFile, 0o644);
    chownTree(join(site.dir, 'mail'), owner);
    dovecot = await startDovecot(site.dir, owner);
    servedByDovecot = await client<Pop3Message[]>('pop3', dovecot.pop3, 'alice', 'secret');
    pop3d = await startSite({ site });
  }, 60_000);

  afterAll(async () => {
    await pop3d?.stop();
    await dovecot?.stop();
    site?.remove();
  });

  it('answers UIDL, LIST and the order exactly as Dovecot did on the Maildir it served', async () => {
    expect(servedByDovecot.map((m) => m.subject)).toEqual(['one', 'two', 'three', 'four', 'alice early', 'alice late']);
    expect(servedByDovecot[0]!.uidl).toMatch(/^00000001[0-9a-f]{8}$/u);
    const { stdout } = await run(process.execPath, [CLI, 'uidl', 'alice', '--config', site.configFile]);
    expect(stdout).toBe(servedByDovecot.map((m) => `${m.n} ${m.uidl}\n`).join(''));
    expect(await client<Pop3Message[]>('pop3', pop3d.port('pop3'), 'alice', 'secret')).toEqual(servedByDovecot);
  });

  it('numbers a Maildir pop3d sees first as Dovecot would, and Dovecot agrees afterwards', async () => {
    const ours = await client<Pop3Message[]>('pop3', pop3d.port('pop3'), 'bob', 'secret');
    expect(ours.map((m) => m.subject)).toEqual(['bob early', 'bob late']);
    expect(await client<Pop3Message[]>('pop3', dovecot.pop3, 'bob', 'secret')).toEqual(ours);
  });

  it('refuses a login over a corrupt uidlist with [SYS/TEMP], logs it, and keeps the file', async () => {
    const path = join(site.maildir('bob'), 'dovecot-uidlist');
    const good = readFileSync(path, 'utf8');
    const corrupt = good.replace(/\n2 /u, '\n1 ');
    writeFileSync(path, corrupt);
    const pop = await RawClient.open(pop3d.port('pop3'));
    await pop.line();
    await pop.command('USER bob');
    expect(await pop.command('PASS secret')).toBe('-ERR [SYS/TEMP] Unable to open the mailbox');
    pop.close();
    expect(readFileSync(path, 'utf8')).toBe(corrupt);
    await vi.waitFor(() => expect(pop3d.logs.some((entry) => entry.event === 'uidlist-corrupt')).toBe(true));
    writeFileSync(path, good);
  });

  it('gives a message delivered after the switch the next UID, the one IMAP sees', async () => {
    deliver('alice', '1700000200.M1P3.test', message('five'));
    // `pop3d uidl` numbers it first, run as whoever runs the tests: the list must stay the mail user's.
    const { stdout } = await run(process.execPath, [CLI, 'uidl', 'alice', '--config', site.configFile]);
    expect(statSync(join(site.maildir('alice'), 'dovecot-uidlist'))).toMatchObject({ uid: owner.uid, gid: owner.gid });
    const ours = await client<Pop3Message[]>('pop3', pop3d.port('pop3'), 'alice', 'secret');
    expect(stdout).toBe(ours.map((m) => `${m.n} ${m.uidl}\n`).join(''));
    expect(ours.slice(0, -1)).toEqual(servedByDovecot);
    const imap = await client<ImapListing>('imap', dovecot.imap, 'alice', 'secret');
    const bySubject = new Map(imap.messages.map((m) => [m.subject, m]));
    expect(ours.at(-1)).toMatchObject({ subject: 'five', uidl: dovecotUidl(bySubject.get('five')!.uid, imap.uidvalidity) });
    for (const m of ours) expect(m.uidl, m.subject).toBe(dovecotUidl(bySubject.get(m.subject)!.uid, imap.uidvalidity));
  });

  it('keeps a session right while IMAP flags, expunges and appends, and IMAP sees what POP3 did', async () => {
    const result = await client<{ before: Pop3Message[]; retr1: string; retr2: string; quit: string }>(
      'interleave',
      pop3d.port('pop3'),
      dovecot.imap,
      'alice',
      'secret',
    );
    expect(result.retr1).toContain('one body');
    expect(result.retr2).toMatch(/^-ERR/u);
    expect(result.quit).toMatch(/^\+OK/u);
    const imap = await client<ImapListing>('imap', dovecot.imap, 'alice', 'secret');
    const flags = Object.fromEntries(imap.messages.map((m) => [m.subject, [...m.flags].sort()]));
    // one: flagged by IMAP, seen by RETR; two: expunged by IMAP; three: deleted by POP3; the rest untouched.
    expect(flags).toEqual({
      one: ['\\Flagged', '\\Seen'],
      four: [],
      'alice early': [],
      'alice late': [],
      five: [],
      appended: [],
    });
  });

  it('leaves Dovecot, after a rollback, the same UIDLs, and nothing in its log about the uidlist', async () => {
    const ours = await client<Pop3Message[]>('pop3', pop3d.port('pop3'), 'alice', 'secret');
    expect(ours.map((m) => m.subject)).toEqual(['one', 'four', 'alice early', 'alice late', 'five', 'appended']);
    await pop3d.stop();
    expect(await client<Pop3Message[]>('pop3', dovecot.pop3, 'alice', 'secret')).toEqual(ours);
    const log = readFileSync(dovecot.logFile, 'utf8');
    expect(log.split('\n').filter((line) => /uidlist/iu.test(line))).toEqual([]);
    expect(log.split('\n').filter((line) => /(Error|Panic|Fatal)/u.test(line))).toEqual([]);
  });
});
