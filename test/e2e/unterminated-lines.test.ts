import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUpDaemons, startSite, type StartOptions } from '../support/daemon.js';
import { RawClient } from '../support/pop3-client.js';
import { rssOf } from '../support/processes.js';

/*
 * A line that never ends: answered as soon as it passes the limit (not when a line end finally comes, which
 * may be never), and the connection closed once it goes on past 64 KiB, with a last -ERR / ->FAIL: first.
 */

const MB = 1024 * 1024;
const clients: RawClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await cleanUpDaemons();
});

async function open(port: number): Promise<RawClient> {
  const client = await RawClient.open(port);
  clients.push(client);
  await client.line(); // greeting
  return client;
}

const WITH_PUSH3: StartOptions = {
  users: { alice: 'secret', root: 'toor' },
  mail: { alice: ['Subject: hi\n\nhello\n'] },
  config: { push3: { enabled: true, host: '127.0.0.1', port: 0, admins: ['root'] }, prometheus: { enabled: false } },
  listeners: ['pop3', 'push3'],
};

/** Writes `octets` of 'A' without a line end, honouring backpressure; resolves early if the server closes. */
async function writeWithoutEnd(client: RawClient, octets: number): Promise<void> {
  const chunk = Buffer.alloc(16 * 1024, 0x41);
  for (let sent = 0; sent < octets && !client.closed && !client.socket.destroyed; sent += chunk.length) {
    if (!client.socket.write(chunk)) {
      await new Promise((resolve) => {
        client.socket.once('drain', resolve);
        client.socket.once('close', resolve);
      });
    }
  }
}

describe('a line that never ends', () => {
  it('POP3, before login: -ERR as soon as it passes 255 octets; after 1 KiB more a line end goes on as usual', async () => {
    const daemon = await startSite(WITH_PUSH3);
    const client = await open(daemon.port('pop3'));
    client.send(Buffer.alloc(1024, 0x41));
    expect(await client.line()).toBe('-ERR Line too long');
    client.send(Buffer.alloc(1024, 0x41));
    client.send('\r\nUSER alice\r\n');
    expect(await client.line()).toBe('+OK');
  });

  it('POP3, after login: 1 MiB without a line end gets -ERR at once, then a last -ERR and the close', async () => {
    const daemon = await startSite(WITH_PUSH3);
    const client = await open(daemon.port('pop3'));
    expect(await client.command('USER alice')).toBe('+OK');
    expect(await client.command('PASS secret')).toMatch(/^\+OK/);
    const baseline = rssOf(daemon.process.pid!);
    await writeWithoutEnd(client, MB);
    expect(await client.line()).toBe('-ERR Line too long');
    expect(await client.line()).toBe('-ERR Line too long and never ended; closing the connection');
    await client.ended();
    expect(client.closed).toBe(true);
    expect(rssOf(daemon.process.pid!) - baseline).toBeLessThan(50 * MB);
    // The maildrop is released without UPDATE (the lock a moment after the close): the next session finds the message.
    const next = await open(daemon.port('pop3'));
    await expect
      .poll(async () => (await next.command('USER alice')) && next.command('PASS secret'), { timeout: 5_000 })
      .toMatch(/^\+OK Logged in: 1 message/);
  });

  it('Push3: ->FAIL: at once, then a last ->FAIL: and the close', async () => {
    const daemon = await startSite(WITH_PUSH3);
    const client = await open(daemon.port('push3'));
    client.send(Buffer.alloc(600, 0x41));
    expect(await client.line()).toBe('->FAIL: Line too long (at most 512 octets)');
    await writeWithoutEnd(client, MB);
    expect(await client.line()).toBe('->FAIL: Line too long and never ended; closing the connection');
    await client.ended();
    expect(client.closed).toBe(true);
  });

  it('a peer that goes on sending and never closes is dropped a few seconds after the last -ERR', async () => {
    const daemon = await startSite(WITH_PUSH3);
    // allowHalfOpen: this client does not close when the server ends its side; it just keeps writing.
    const socket = connect({ host: '127.0.0.1', port: daemon.port('pop3'), allowHalfOpen: true });
    socket.on('error', () => undefined);
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
    await new Promise((resolve) => socket.once('connect', resolve));
    const chunk = Buffer.alloc(16 * 1024, 0x41);
    const writer = setInterval(() => socket.writable && socket.write(chunk), 100);
    try {
      await expect.poll(() => received, { timeout: 5_000 }).toContain('never ended; closing the connection\r\n');
      const lastReply = Date.now();
      expect((await closed) - lastReply).toBeLessThan(8_000);
    } finally {
      clearInterval(writer);
      socket.destroy();
    }
  }, 15_000);
});
