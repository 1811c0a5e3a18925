import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { makeSite, type Site, type SiteOptions } from './daemon.js';
import { RawClient } from './pop3-client.js';

/** A fresh self-signed certificate (as an operator would make one for testing) at cert.pem / key.pem in `dir`. */
export function makeCertificate(dir: string, commonName = 'localhost'): void {
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${commonName}`, '-days', '1'].concat(
      ['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
    ),
    { stdio: 'ignore' },
  );
}

/** A site with a certificate and an implicit-TLS listener on a free port; loopback untrusted unless told. */
export function tlsSite(options: SiteOptions = {}): Site {
  const site = makeSite({
    users: { alice: 'secret' },
    mail: { alice: ['Subject: hello\n\nHello over TLS\n'] },
    ...options,
    config: {
      ...options.config,
      tls: { cert: 'cert.pem', key: 'key.pem' },
      pop3s: { host: '127.0.0.1', port: 0 },
      auth: { trustedNetworks: [], failureDelay: 0, ...options.config?.auth },
    },
  });
  makeCertificate(site.dir);
  return site;
}

function secured(socket: TLSSocket): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('closed during the handshake')));
  });
}

/** Client side of STLS on a connection whose `+OK` has been read: TLS over the same socket. */
export async function upgrade(client: RawClient): Promise<RawClient> {
  const socket = await secured(tlsConnect({ socket: client.socket, rejectUnauthorized: false, servername: 'localhost' }));
  return RawClient.over(socket);
}

/** Implicit TLS (POP3S): connected, handshaken, greeting not yet read. */
export async function openTls(port: number): Promise<{ client: RawClient; socket: TLSSocket }> {
  const socket = await secured(tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'localhost' }));
  return { client: RawClient.over(socket), socket };
}

/** The common name of the certificate a POP3S port presents now. */
export async function presentedName(port: number): Promise<string> {
  const { client, socket } = await openTls(port);
  const name = socket.getPeerCertificate().subject.CN;
  client.close();
  return Array.isArray(name) ? name.join(',') : String(name);
}

/** Polls the daemon's log until a line with this event shows up. */
export async function logged(logs: Record<string, unknown>[], event: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = logs.find((entry) => entry.event === event);
    if (line !== undefined) return line;
    if (Date.now() > deadline) throw new Error(`no ${event} in the log`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
