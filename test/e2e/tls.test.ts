import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUpDaemons, startSite, type StartOptions } from '../support/daemon.js';
import { RawClient } from '../support/pop3-client.js';
import { python, run } from '../support/processes.js';
import { logged, makeCertificate, openTls, presentedName, tlsSite, upgrade } from '../support/tls.js';

const BODY = 'Subject: hello\r\n\r\nHello over TLS\r\n';


afterEach(cleanUpDaemons);

/** A daemon with a certificate, STLS and POP3S; loopback is not trusted, so plaintext login needs TLS. */
const withTls = (): StartOptions => ({ site: tlsSite(), listeners: ['pop3', 'pop3s'] });

const POPLIB_STLS = `
import json, poplib, ssl, sys
p = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=20)
before = sorted(p.capa().keys())
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
p.stls(context=context)
after = sorted(p.capa().keys())
p.user('alice'); p.pass_('secret')
count, octets = p.stat()
body = b'\\r\\n'.join(p.retr(1)[1]).decode()
version = p.sock.version()
p.quit()
print(json.dumps({'before': before, 'after': after, 'count': count, 'body': body, 'version': version}))
`;

/** Runs openssl s_client with `input` on its stdin; resolves with its stdout once it exits. */
function sClient(args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', ['s_client', ...args, '-quiet', '-ign_eof'], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    const timer = setTimeout(() => child.kill(), 20_000);
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(out);
    });
    child.stdin.end(input);
  });
}

describe('TLS end to end, with real clients', () => {
  it('Python poplib: STLS is offered, then a fresh CAPA offers USER, and mail is read over TLS', async () => {
    const daemon = await startSite(withTls());
    const pop3 = daemon.port('pop3');
    const result = await python<{ before: string[]; after: string[]; count: number; body: string; version: string }>(
      POPLIB_STLS,
      String(pop3),
    );
    expect(result.before).toContain('STLS');
    expect(result.before).not.toContain('USER');
    expect(result.after).not.toContain('STLS');
    expect(result.after).toEqual(expect.arrayContaining(['USER', 'SASL']));
    expect(result).toMatchObject({ count: 1, body: BODY.trimEnd() });
    expect(result.version).toMatch(/^TLSv1\.[23]$/);
  });

  it('curl --ssl-reqd pop3:// upgrades with STLS and retrieves the message', async () => {
    const daemon = await startSite(withTls());
    const pop3 = daemon.port('pop3');
    const args = ['-sS', '-v', '--ssl-reqd', '-k', '-u', 'alice:secret', `pop3://127.0.0.1:${pop3}/1`];
    const { stdout, stderr } = await run('curl', args, { timeout: 20_000 });
    expect(stdout.replace(/\r?\n/g, '\r\n')).toBe(BODY);
    expect(stderr).toContain('> STLS');
    expect(stderr).toContain('< +OK Begin TLS negotiation');
  });

  it('openssl s_client -starttls pop3: commands on its stdin run over TLS', async () => {
    const daemon = await startSite(withTls());
    const pop3 = daemon.port('pop3');
    const commands = 'CAPA\r\nUSER alice\r\nPASS secret\r\nSTAT\r\nQUIT\r\n';
    const out = await sClient(['-starttls', 'pop3', '-connect', `127.0.0.1:${pop3}`], commands);
    expect(out).toContain('\r\nUSER\r\n');
    expect(out).not.toContain('STLS');
    expect(out).toContain('+OK Logged in: 1 message');
    expect(out).toContain('+OK 1 ');
    expect(out).toContain('+OK Bye');
  });

  it('implicit TLS (POP3S): Node tls.connect gets the greeting, a CAPA without STLS, and logs in', async () => {
    const daemon = await startSite(withTls());
    const pop3s = daemon.port('pop3s');
    const { client } = await openTls(pop3s);
    expect(await client.line()).toMatch(/^\+OK POP3 server ready <.+@.+>$/);
    client.send('CAPA\r\n');
    const capa = await client.multiline();
    expect(capa).toContain('\r\nUSER\r\n');
    expect(capa).not.toContain('STLS');
    expect(await client.command('USER alice')).toBe('+OK');
    expect(await client.command('PASS secret')).toMatch(/^\+OK Logged in: 1 message/);
    expect(await client.command('QUIT')).toMatch(/^\+OK Bye/);
    await client.ended();
  });

  it('implicit TLS (POP3S): curl -k pop3s:// lists the maildrop', async () => {
    const daemon = await startSite(withTls());
    const pop3s = daemon.port('pop3s');
    const { stdout } = await run('curl', ['-sS', '-k', '-u', 'alice:secret', `pop3s://127.0.0.1:${pop3s}/`], { timeout: 20_000 });
    expect(stdout.trim()).toMatch(/^1 \d+$/);
  });

  it('STARTTLS injection: commands sent with STLS in one write are discarded, not run after the handshake', async () => {
    const daemon = await startSite(withTls());
    const pop3 = daemon.port('pop3');
    const plain = await RawClient.open(pop3);
    await plain.line();
    // Were these kept, the TLS session would start logged in (plaintext login is allowed over TLS).
    plain.send('STLS\r\nUSER alice\r\nPASS secret\r\n');
    expect(await plain.line()).toBe('+OK Begin TLS negotiation');
    const secure = await upgrade(plain);
    expect(await secure.command('STAT')).toBe('-ERR STAT is not valid in this state');
    expect(daemon.logs.filter((line) => line.event === 'auth')).toEqual([]);
    secure.close();
  });

  it('a failed handshake closes that connection only', async () => {
    const daemon = await startSite(withTls());
    const pop3 = daemon.port('pop3');
    const pop3s = daemon.port('pop3s');
    const { client: bystander } = await openTls(pop3s);
    await bystander.line();
    expect(await bystander.command('USER alice')).toBe('+OK');

    const afterStls = await RawClient.open(pop3);
    await afterStls.line();
    expect(await afterStls.command('STLS')).toBe('+OK Begin TLS negotiation');
    afterStls.send('this is not a TLS ClientHello\r\n');
    await afterStls.ended();
    const implicit = await RawClient.open(pop3s);
    implicit.send('CAPA\r\n');
    await implicit.ended();

    expect(await bystander.command('PASS secret')).toMatch(/^\+OK Logged in/);
    expect(daemon.logs.filter((line) => String(line.message).startsWith('TLS handshake failed'))).toHaveLength(2);
    bystander.close();
  });

  it('SIGHUP reloads the certificate for new handshakes without dropping sessions, and keeps it if the new one is broken', async () => {
    const daemon = await startSite(withTls());
    const pop3s = daemon.port('pop3s');
    expect(await presentedName(pop3s)).toBe('localhost');
    const { client: session } = await openTls(pop3s);
    await session.line();
    expect(await session.command('USER alice')).toBe('+OK');

    makeCertificate(daemon.site.dir, 'renewed.example');
    daemon.process.kill('SIGHUP');
    await logged(daemon.logs, 'tls-reloaded');

    expect(await presentedName(pop3s)).toBe('renewed.example');

    // A broken certificate file is refused and the one in use kept.
    writeFileSync(join(daemon.site.dir, 'cert.pem'), 'not a certificate');
    daemon.process.kill('SIGHUP');
    await logged(daemon.logs, 'tls-reload-failed');
    expect(await presentedName(pop3s)).toBe('renewed.example');

    expect(await session.command('PASS secret')).toMatch(/^\+OK Logged in/);
    expect(await session.command('QUIT')).toMatch(/^\+OK Bye/);
  });
});
