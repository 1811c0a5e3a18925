import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, createSecureContext, type SecureContext } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { discardPlaintext, serverHandshake } from '../../src/tls/handshake.js';
import { makeCertificate } from '../support/tls.js';

let context: SecureContext;
let server: Server | undefined;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'pop3d-tls-'));
  makeCertificate(dir);
  context = createSecureContext({ cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) });
  rmSync(dir, { recursive: true });
});
afterEach(() => server?.close());

/** A connected pair: the server side (not yet read from) and the client side. */
async function pair(): Promise<{ accepted: Socket; client: Socket }> {
  const accepted = new Promise<Socket>((resolve) => {
    server = createServer(resolve);
    server.listen(0, '127.0.0.1');
  });
  await new Promise((resolve) => server!.once('listening', resolve));
  const address = server!.address();
  const client = connect(typeof address === 'object' && address ? address.port : 0, '127.0.0.1');
  client.on('error', () => undefined);
  return { accepted: await accepted, client };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('server-side TLS handshake on an accepted socket', () => {
  it('discards plaintext buffered before the upgrade, so it never reaches TLS (or the protocol)', async () => {
    const { accepted, client } = await pair();
    client.write('USER alice\r\nPASS secret\r\n');
    await until(() => accepted.readableLength > 0);
    discardPlaintext(accepted);
    const handshake = serverHandshake(accepted, context, 5000);
    const secureClient = tlsConnect({ socket: client, rejectUnauthorized: false });
    const secured = await handshake;
    secureClient.write('CAPA\r\n');
    const received = await new Promise<string>((resolve) => secured.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    expect(received).toBe('CAPA\r\n');
    secureClient.destroy();
  });

  it('without the discard, the same buffered plaintext breaks the handshake (what the discard prevents)', async () => {
    const { accepted, client } = await pair();
    client.write('USER alice\r\n');
    await until(() => accepted.readableLength > 0);
    const handshake = serverHandshake(accepted, context, 5000);
    tlsConnect({ socket: client, rejectUnauthorized: false }).on('error', () => undefined);
    await expect(handshake).rejects.toThrow();
  });

  it('gives up on a peer that never completes the handshake', async () => {
    const { accepted, client } = await pair();
    const started = Date.now();
    await expect(serverHandshake(accepted, context, 200)).rejects.toThrow(/timed out/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    client.destroy();
  });
});
