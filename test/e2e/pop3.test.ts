import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUpDaemons, startSite, type Site } from '../support/daemon.js';
import { RawClient } from '../support/pop3-client.js';
import { python, run } from '../support/processes.js';

const MESSAGES = [
  'From: a@example.org\nSubject: first\n\nHello\n.leading dot\n',
  'From: b@example.org\r\nSubject: second\r\n\r\nWorld\r\n',
  'From: c@example.org\nSubject: third\n\nno final newline',
];

const POPLIB = `
import json, poplib, sys
port, user, password, delete = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4] == '1'
p = poplib.POP3('127.0.0.1', port, timeout=20)
p.user(user); p.pass_(password)
count, octets = p.stat()
sizes = [int(line.split()[1]) for line in p.list()[1]]
uids = [line.split()[1].decode() for line in p.uidl()[1]]
bodies = []
for n in range(1, count + 1):
    resp, lines, size = p.retr(n)
    bodies.append(b'\\r\\n'.join(lines).decode('latin1'))
    if delete: p.dele(n)
top = [l.decode('latin1') for l in p.top(1, 0)[1]] if count and not delete else []
p.quit()
print(json.dumps({'count': count, 'octets': octets, 'sizes': sizes, 'uids': uids, 'bodies': bodies, 'top': top}))
`;

interface PoplibResult {
  count: number;
  octets: number;
  sizes: number[];
  uids: string[];
  bodies: string[];
  top: string[];
}

const crlf = (text: string): string => text.replace(/\r?\n/g, '\r\n');
const messageFiles = (site: Site, user: string): string[] =>
  ['new', 'cur'].flatMap((sub) => readdirSync(join(site.maildir(user), sub)));

const WITH_MESSAGES = { users: { alice: 'secret' }, mail: { alice: MESSAGES } };

afterEach(cleanUpDaemons);

describe('POP3 daemon end to end', () => {
  it('serves Python poplib: sizes as on the wire, bodies, stable UIDLs, TOP, DELE+QUIT', async () => {
    const daemon = await startSite(WITH_MESSAGES);
    const port = String(daemon.port('pop3'));
    const first = await python<PoplibResult>(POPLIB, port, 'alice', 'secret', '0');
    expect(first.count).toBe(3);
    // poplib strips the CRLF of each line; the wire size counts them.
    first.bodies.forEach((body, index) => {
      const expected = crlf(MESSAGES[index]!).replace(/\r\n$/, '');
      expect(body).toBe(expected);
      expect(first.sizes[index]).toBe(Buffer.byteLength(`${expected}\r\n`));
    });
    expect(first.octets).toBe(first.sizes.reduce((a, b) => a + b, 0));
    expect(first.top).toEqual(['From: a@example.org', 'Subject: first', '']);
    expect(new Set(first.uids).size).toBe(3);

    await daemon.stop();
    const again = await startSite({ site: daemon.site });
    const second = await python<PoplibResult>(POPLIB, String(again.port('pop3')), 'alice', 'secret', '1');
    expect(second.uids).toEqual(first.uids);
    expect(messageFiles(daemon.site, 'alice')).toEqual([]);
  });

  it('serves curl (pop3://): listing and a message', async () => {
    const daemon = await startSite(WITH_MESSAGES);
    const url = `pop3://alice:secret@127.0.0.1:${daemon.port('pop3')}`;
    const listing = await run('curl', ['-s', '--max-time', '20', `${url}/`]);
    expect(listing.stdout.trim().split(/\r?\n/)).toHaveLength(3);
    const message = await run('curl', ['-s', '--max-time', '20', `${url}/2`]);
    expect(message.stdout).toBe(crlf(MESSAGES[1]!));
  });

  it('a second daemon on the same Maildir sees the lock: [IN-USE], and the first session is unaffected', async () => {
    const first = await startSite(WITH_MESSAGES);
    const other = await startSite({ site: first.site });
    const holder = await RawClient.open(first.port('pop3'));
    await holder.line();
    await holder.command('USER alice');
    expect(await holder.command('PASS secret')).toMatch(/^\+OK/);

    const rival = await RawClient.open(other.port('pop3'));
    await rival.line();
    await rival.command('USER alice');
    expect(await rival.command('PASS secret')).toBe('-ERR [IN-USE] Mailbox is locked by another session');

    expect(await holder.command('STAT')).toMatch(/^\+OK 3 /);
    expect(await holder.command('QUIT')).toMatch(/^\+OK/);
    await holder.ended();
    await rival.command('USER alice');
    expect(await rival.command('PASS secret')).toMatch(/^\+OK/);
    rival.close();
  });

  it('a client that vanishes without QUIT deletes nothing and releases its lock', async () => {
    const daemon = await startSite(WITH_MESSAGES);
    const client = await RawClient.open(daemon.port('pop3'));
    await client.line();
    client.send('USER alice\r\nPASS secret\r\nDELE 1\r\nDELE 2\r\n');
    await client.line();
    await client.line();
    await client.line();
    expect(await client.line()).toBe('+OK Message 2 deleted');
    client.close();
    const next = await RawClient.open(daemon.port('pop3'));
    await next.line();
    await next.command('USER alice');
    // The lock is released when the first socket's close is seen: retry briefly.
    let reply = await next.command('PASS secret');
    for (let i = 0; i < 20 && reply.includes('IN-USE'); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await next.command('USER alice');
      reply = await next.command('PASS secret');
    }
    expect(reply).toMatch(/^\+OK Logged in: 3 messages/);
    next.close();
    expect(messageFiles(daemon.site, 'alice')).toHaveLength(3);
  });

  it('answers pipelined commands in order, over-long lines and garbage with -ERR, and keeps going', async () => {
    const daemon = await startSite(WITH_MESSAGES);
    const client = await RawClient.open(daemon.port('pop3'));
    await client.line();
    client.send(`${'A'.repeat(10_000)}\r\n`);
    expect(await client.line()).toBe('-ERR Line too long');
    client.send(Buffer.from([0xff, 0x00, 0x1b, 0x0d, 0x0a]));
    expect(await client.line()).toMatch(/^-ERR/);
    client.send('USER alice\r\nPASS secret\r\nRETR 1\r\nRETR 3\r\nLIST 9\r\nNOOP\r\n');
    await client.line();
    await client.line();
    expect(await client.multiline()).toBe(`+OK 60 octets\r\n${crlf(MESSAGES[0]!).replace('\r\n.leading', '\r\n..leading')}.\r\n`);
    expect(await client.multiline()).toBe(`+OK 57 octets\r\n${crlf(MESSAGES[2]!)}\r\n.\r\n`);
    expect(await client.line()).toBe('-ERR No such message: 9');
    expect(await client.line()).toBe('+OK');
    client.close();
  });

  it('SIGTERM: stops accepting, lets the session end, releases the lock, exits 0', async () => {
    const daemon = await startSite({ ...WITH_MESSAGES, config: { shutdown: { graceSeconds: 1 } } });
    const site = daemon.site;
    const client = await RawClient.open(daemon.port('pop3'));
    await client.line();
    await client.command('USER alice');
    await client.command('PASS secret');
    expect(lstatSync(join(site.maildir('alice'), 'pop3d.lock'), { throwIfNoEntry: false })?.isSymbolicLink()).toBe(true);
    expect(await daemon.stop()).toBe(0);
    await client.ended();
    expect(lstatSync(join(site.maildir('alice'), 'pop3d.lock'), { throwIfNoEntry: false })).toBeUndefined();
    expect(messageFiles(site, 'alice')).toHaveLength(3);
  });

  it('a whole session in one write: every RETR is sent before QUIT deletes', async () => {
    const daemon = await startSite(WITH_MESSAGES);
    const client = await RawClient.open(daemon.port('pop3'));
    await client.line();
    client.send('USER alice\r\nPASS secret\r\nRETR 1\r\nRETR 2\r\nRETR 3\r\nDELE 1\r\nDELE 2\r\nDELE 3\r\nQUIT\r\n');
    await client.line();
    await client.line();
    for (const message of MESSAGES) {
      const reply = await client.multiline();
      expect(reply).toMatch(/^\+OK \d+ octets\r\n/);
      expect(reply).toContain(message.split('\n')[0]!);
    }
    for (let i = 0; i < 3; i += 1) expect(await client.line()).toMatch(/^\+OK Message \d deleted$/);
    expect(await client.line()).toBe('+OK Bye: 3 messages deleted');
    await client.ended();
    expect(messageFiles(daemon.site, 'alice')).toEqual([]);
  });
});
