import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killDaemons, makeSite, startSite } from '../support/daemon.js';
import { RawClient } from '../support/pop3-client.js';
import { rssOf } from '../support/processes.js';
import { messageCount } from '../../src/pop3/replies.js';

const MB = 1024 * 1024;
afterEach(killDaemons);

/** Writes a message of about `octets` bytes with LF line ends and some lines starting with ".". */
function writeBigMessage(maildir: string, octets: number): number {
  const line = `${'x'.repeat(75)}\n`;
  const dotted = `.${'y'.repeat(74)}\n`;
  const block = (line.repeat(99) + dotted).repeat(Math.ceil(octets / (100 * 76)));
  const text = `Subject: big\n\n${block}`;
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
  writeFileSync(join(maildir, 'new', '1700000000.big.test'), text);
  return Buffer.byteLength(text) + (text.match(/\n/g)?.length ?? 0); // wire size: every LF gains a CR
}

describe('faults and limits end to end', () => {
  it('streams a 50 MB message to a slow reader with bounded memory', async () => {
    const site = makeSite({ users: { alice: 'secret' } });
    const wireSize = writeBigMessage(site.maildir('alice'), 50 * MB);
    const daemon = await startSite({ site });
    const pid = daemon.process.pid!;
    const baseline = rssOf(pid);
    let peak = baseline;

    const socket = connect(daemon.port('pop3'), '127.0.0.1');
    let received = 0;
    let tail = Buffer.alloc(0);
    let header = '';
    const done = new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        if (header.split('\r\n').length < 6) header += chunk.subarray(0, 200).toString('latin1');
        received += chunk.length;
        tail = Buffer.concat([tail, chunk]).subarray(-5);
        if (tail.toString() === '\r\n.\r\n') resolve();
      });
    });
    socket.write('USER alice\r\nPASS secret\r\nRETR 1\r\n');
    // A slow reader: stop reading for a while, so the server must hold back instead of buffering.
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.pause();
    for (let i = 0; i < 10; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      peak = Math.max(peak, rssOf(pid));
    }
    socket.resume();
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 20);
    await done.finally(() => clearInterval(sampler));
    socket.destroy();

    expect(header).toContain(`+OK ${wireSize} octets`);
    // The body on the wire: wire size plus one stuffed dot per dotted line, plus ".\r\n" and the status lines.
    expect(received).toBeGreaterThan(wireSize);
    expect(peak - baseline).toBeLessThan(40 * MB);
  });

  it('kill -9 during UPDATE: every message is either intact or gone; the stale lock expires', async () => {
    const originals = new Map<string, string>();
    // No flag updates: the files stay in new/, where the test watches UPDATE remove them.
    const site = makeSite({ users: { alice: 'secret' }, config: { mail: { lockStaleSeconds: 2, flagUpdates: false } } });
    const maildir = site.maildir('alice');
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
    for (let i = 0; i < 400; i += 1) {
      const name = `${1_700_000_000 + i}.M${i}.test`;
      const text = `Subject: ${i}\n\n${'z'.repeat(10_000 + i)}\n`;
      writeFileSync(join(maildir, 'new', name), text);
      originals.set(name, text);
    }
    // kill -9 must hit the process doing the UPDATE: with workers that is a worker, not the daemon's pid.
    const daemon = await startSite({ site, workers: 1 });
    const client = await RawClient.open(daemon.port('pop3'));
    await client.line();
    client.send(`USER alice\r\nPASS secret\r\n${[...originals.keys()].map((_, i) => `DELE ${i + 1}\r\n`).join('')}`);
    for (let i = 0; i < originals.size + 2; i += 1) await client.line();
    client.send('QUIT\r\n');
    // Kill as soon as UPDATE has begun removing files.
    while (readdirSync(join(maildir, 'new')).length === originals.size) await new Promise((resolve) => setImmediate(resolve));
    daemon.process.kill('SIGKILL');
    await daemon.exited;

    const left = readdirSync(join(maildir, 'new'));
    for (const name of left) expect(readFileSync(join(maildir, 'new', name), 'utf8')).toBe(originals.get(name));

    const restarted = await startSite({ site });
    const next = await RawClient.open(restarted.port('pop3'));
    await next.line();
    const deadline = Date.now() + 6_000;
    let reply = '';
    do {
      await next.command('USER alice');
      reply = await next.command('PASS secret');
      if (reply.includes('IN-USE')) await new Promise((resolve) => setTimeout(resolve, 250));
    } while (reply.includes('IN-USE') && Date.now() < deadline);
    expect(reply).toBe(`+OK Logged in: ${messageCount(left.length)} (${left.reduce((sum, name) => sum + originals.get(name)!.length + 3, 0)} octets)`);
    next.close();
  });

  it('a client that pipelines without reading cannot make the server queue work', async () => {
    const site = makeSite({ users: { alice: 'secret' } });
    writeBigMessage(site.maildir('alice'), MB);
    const daemon = await startSite({ site });
    const pid = daemon.process.pid!;
    const socket = connect(daemon.port('pop3'), '127.0.0.1');
    socket.on('error', () => undefined);
    socket.pause(); // never read
    socket.write('USER alice\r\nPASS secret\r\n');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const baseline = rssOf(pid);
    const commands = Buffer.from('RETR 1\r\n'.repeat(8192));
    let written = 0;
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline && written < 200 * commands.length) {
      written += commands.length;
      if (!socket.write(commands)) {
        const drained = await Promise.race([
          new Promise((resolve) => socket.once('drain', () => resolve(true))),
          new Promise((resolve) => setTimeout(resolve, 500, false)),
        ]);
        if (!drained) break; // the server stopped reading: backpressure reached the client
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(written).toBeLessThan(200 * commands.length);
    expect(rssOf(pid) - baseline).toBeLessThan(40 * MB);
    socket.destroy();
  });

  it('a client that half-closes after its last command still gets every reply, QUIT and its UPDATE included', async () => {
    const site = makeSite({ users: { alice: 'secret' } });
    writeBigMessage(site.maildir('alice'), 2 * MB);
    const daemon = await startSite({ site });
    const socket = connect(daemon.port('pop3'), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const ended = new Promise<void>((resolve) => socket.on('end', resolve));
    // Everything in one write, then our FIN (as `nc -N` does): the server must answer all of it.
    socket.end('USER alice\r\nPASS secret\r\nRETR 1\r\nDELE 1\r\nQUIT\r\n');
    await ended;
    const text = Buffer.concat(chunks).toString('latin1');
    expect(text).toMatch(/\r\n\.\r\n\+OK Message 1 deleted\r\n\+OK .*\r\n$/u);
    expect(text.length).toBeGreaterThan(2 * MB);
    expect(readdirSync(join(site.maildir('alice'), 'new'))).toEqual([]);
    expect(readdirSync(join(site.maildir('alice'), 'cur'))).toEqual([]);
  });

  it('a client that closes outright before reading a RETR loses nothing: no UPDATE for the DELE it pipelined', async () => {
    const site = makeSite({ users: { alice: 'secret' } });
    writeBigMessage(site.maildir('alice'), 3 * MB);
    const daemon = await startSite({ site });
    /** Logs in (waiting out the lock of the session before), returning the client and PASS's reply. */
    const login = async (): Promise<{ client: RawClient; reply: string }> => {
      const client = await RawClient.open(daemon.port('pop3'));
      await client.line();
      let reply = '';
      for (const deadline = Date.now() + 5000; Date.now() < deadline; ) {
        await client.command('USER alice');
        reply = await client.command('PASS secret');
        if (!reply.includes('IN-USE')) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return { client, reply };
    };
    // A race each time (the server reads the commands and the FIN together): several rounds make it show.
    for (let round = 0; round < 6; round += 1) {
      const { client, reply } = await login();
      expect(reply).toMatch(/^\+OK Logged in: 1 message/u);
      const closed = client.ended();
      // The commands and our FIN together, then gone before a byte of the reply is read.
      client.socket.end('RETR 1\r\nDELE 1\r\nQUIT\r\n', () => client.socket.destroy());
      await closed;
    }
    const { client, reply } = await login();
    expect(reply).toMatch(/^\+OK Logged in: 1 message/u);
    client.close();
  });
});
