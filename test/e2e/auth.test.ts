import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUpDaemons, startSite } from '../support/daemon.js';
import { RawClient } from '../support/pop3-client.js';
import { run } from '../support/processes.js';

const REFUSED = '-ERR [AUTH] Plaintext authentication is disallowed on non-secure connections; use APOP';

afterEach(cleanUpDaemons);

/** Everything under the site folder, so a test can see that nothing was created. */
function tree(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? [entry.name + '/', ...tree(join(dir, entry.name)).map((sub) => `${entry.name}/${sub}`)] : [entry.name],
  );
}

describe('authentication over real sockets', () => {
  it('refuses plaintext logins where loopback is not trusted: CAPA, USER, PASS and AUTH PLAIN', async () => {
    const daemon = await startSite({ config: { auth: { trustedNetworks: [] } } });
    const port = daemon.port('pop3');
    const client = await RawClient.open(port);
    await client.line();
    client.send('CAPA\r\n');
    const capa = await client.multiline();
    expect(capa).not.toMatch(/\r\n(USER|SASL.*|STLS)\r\n/);
    expect(capa).toContain('\r\nTOP\r\n');
    expect(await client.command('USER alice')).toBe(REFUSED);
    expect(await client.command('PASS secret')).toBe(REFUSED);
    expect(await client.command(`AUTH PLAIN ${Buffer.from('\0alice\0secret').toString('base64')}`)).toBe(REFUSED);
    expect(await client.command('AUTH PLAIN')).toBe(REFUSED);
    expect(daemon.logs.filter((line) => line.event === 'auth')).toEqual([]);
    client.close();
  });

  it('accepts APOP there, with a greeting timestamp unique to each connection', async () => {
    const daemon = await startSite({ config: { auth: { trustedNetworks: [] } } });
    const port = daemon.port('pop3');
    const clients = await Promise.all(Array.from({ length: 20 }, () => RawClient.open(port)));
    const greetings = await Promise.all(clients.map((client) => client.line()));
    const stamps = greetings.map((greeting) => /^\+OK POP3 server ready (<[^<>@\s]+@[^<>\s]+>)$/.exec(greeting)?.[1]);
    expect(stamps.every((stamp) => stamp !== undefined)).toBe(true);
    expect(new Set(stamps).size).toBe(clients.length);

    const [first, second] = clients as [RawClient, RawClient];
    const digest = (stamp: string | undefined): string => createHash('md5').update(`${stamp}secret`).digest('hex');
    // A digest made for another connection's timestamp is worthless here (no replay).
    expect(await second.command(`APOP alice ${digest(stamps[0])}`)).toBe('-ERR [AUTH] Authentication failed.');
    expect(await first.command(`APOP alice ${digest(stamps[0])}`)).toMatch(/^\+OK Logged in/);
    for (const client of clients) client.close();
  });

  it('curl falls back to APOP when USER and SASL PLAIN are not offered', async () => {
    const daemon = await startSite({ config: { auth: { trustedNetworks: [] } }, mail: { alice: ['Subject: x\n\nbody\n'] } });
    const port = daemon.port('pop3');
    const { stdout, stderr } = await run('curl', ['-sS', '-v', '-u', 'alice:secret', `pop3://127.0.0.1:${port}/`], { timeout: 20_000 });
    expect(stdout.trim()).toMatch(/^1 \d+$/);
    expect(stderr).toContain('> APOP alice ');
  });

  it('answers path-like user names with the normal failure and touches no file', async () => {
    const daemon = await startSite({ config: { mail: { autocreate: true }, auth: { failureDelay: 0, maxFailuresPerConnection: 10 } } });
    const port = daemon.port('pop3');
    const before = tree(daemon.site.dir);
    const client = await RawClient.open(port);
    await client.line();
    for (const name of ['../../etc', '..', 'a/b', '%u', '.hidden', '-rf']) {
      expect(await client.command(`USER ${name}`)).toBe('+OK');
      expect(await client.command('PASS secret')).toBe('-ERR [AUTH] Authentication failed.');
    }
    client.close();
    expect(tree(daemon.site.dir)).toEqual(before);
  });

  it('holds failure replies back and closes the connection after auth.maxFailuresPerConnection', async () => {
    const daemon = await startSite({ config: { auth: { failureDelay: 300, maxFailuresPerConnection: 2 } } });
    const port = daemon.port('pop3');
    const attacker = await RawClient.open(port);
    const user = await RawClient.open(port);
    await Promise.all([attacker.line(), user.line()]);
    expect(await attacker.command('USER alice')).toBe('+OK');
    const started = Date.now();
    attacker.send('PASS wrong\r\n');
    // Meanwhile another client is served at once: the delay blocks neither the event loop nor others.
    expect(await user.command('USER alice')).toBe('+OK');
    expect(await user.command('PASS secret')).toMatch(/^\+OK Logged in/);
    expect(Date.now() - started).toBeLessThan(250);
    expect(await attacker.line()).toBe('-ERR [AUTH] Authentication failed.');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    // A success from the same address resets the penalty: the next failure costs the base again. (Logged in
    // after the failure is surely counted: with workers, the two logins above may reach the primary's
    // record in either order.)
    expect(await user.command('QUIT')).toMatch(/^\+OK/);
    const later = await RawClient.open(port);
    await later.line();
    expect(await later.command('USER alice')).toBe('+OK');
    expect(await later.command('PASS secret')).toMatch(/^\+OK Logged in/);
    later.close();
    expect(await attacker.command('USER alice')).toBe('+OK');
    const again = Date.now();
    expect(await attacker.command('PASS wrong')).toBe('-ERR [AUTH] Authentication failed; too many failures, closing the connection');
    expect(Date.now() - again).toBeLessThan(550);
    await attacker.ended();
    user.close();
  });
});
