import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/password-schemes.js';
import { cleanUpDaemons, makeSite, startSite } from '../support/daemon.js';
import { RawClient } from '../support/pop3-client.js';

/*
 * Failed logins must not tell which users exist: a wrong password for a {PLAIN} user, for an Argon2id user,
 * and any password for an unknown user take the same time. Measured over the wire, as medians of many
 * interleaved tries (one slow try on a busy machine moves a median little), with the failure delay off.
 */

const TRIES = 25;
const clients: RawClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await cleanUpDaemons();
});

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timed(client: RawClient, lines: string[]): Promise<{ ms: number; reply: string }> {
  const started = process.hrtime.bigint();
  let reply = '';
  for (const line of lines) reply = await client.command(line);
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, reply };
}

const saslPlain = (user: string, password: string): string => Buffer.from(`\0${user}\0${password}`).toString('base64');

describe('failed login timing', () => {
  it('is the same for a {PLAIN} user, an Argon2id user and an unknown user, with USER/PASS and AUTH PLAIN', async () => {
    const site = makeSite({
      users: { plain: 'plain-pw' },
      config: { auth: { failureDelay: 0, maxFailuresPerConnection: 1000 } },
    });
    appendFileSync(join(site.dir, 'users.passwd'), `strong:${await hashPassword('strong-pw')}\n`);
    expect(readFileSync(join(site.dir, 'users.passwd'), 'utf8')).toMatch(/^strong:\{ARGON2ID\}/m);
    const daemon = await startSite({ site });
    const client = await RawClient.open(daemon.port('pop3'));
    clients.push(client);
    await client.line();

    const kinds = {
      plain: (n: number) => [`USER plain`, `PASS wrong-${n}`],
      strong: (n: number) => [`USER strong`, `PASS wrong-${n}`],
      unknown: (n: number) => [`USER nobody${n}`, `PASS wrong-${n}`],
      saslPlain: (n: number) => [`AUTH PLAIN ${saslPlain('plain', `wrong-${n}`)}`],
      saslUnknown: (n: number) => [`AUTH PLAIN ${saslPlain(`nobody${n}`, `wrong-${n}`)}`],
    };
    const times: Record<string, number[]> = Object.fromEntries(Object.keys(kinds).map((kind) => [kind, []]));
    for (let n = 0; n < TRIES; n += 1) {
      for (const [kind, lines] of Object.entries(kinds)) {
        const { ms, reply } = await timed(client, lines(n));
        expect(reply).toMatch(/^-ERR \[AUTH\]/);
        times[kind]!.push(ms);
      }
    }
    const medians = Object.fromEntries(Object.entries(times).map(([kind, values]) => [kind, median(values)]));
    const reference = medians.unknown!;
    for (const [kind, value] of Object.entries(medians)) {
      // Unequal work differs by a factor of 10 or more here ({PLAIN} ~0.3 ms, Argon2id ~10 ms).
      expect(value / reference, `${kind}: ${JSON.stringify(medians)}`).toBeGreaterThan(0.6);
      expect(value / reference, `${kind}: ${JSON.stringify(medians)}`).toBeLessThan(1.7);
    }
  });
});
