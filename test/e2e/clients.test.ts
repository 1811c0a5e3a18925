import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUpDaemons, startSite, type RunningSite } from '../support/daemon.js';
import { python, run } from '../support/processes.js';

/*
 * Real POP3 clients against the built daemon: each must get the fixture messages byte for byte, line ends
 * aside (clients hand mail on with LF). The fixtures exercise dot-stuffing and an mbox-unsafe "From " line.
 */
const FIXTURES = [
  'From: a@example.org\r\nTo: alice@example.org\r\nSubject: first\r\nMessage-ID: <1@example.org>\r\n\r\nHello\r\n.leading dot\r\n..two dots\r\n.\r\nFrom the start of a line\r\n',
  'From: b@example.org\nSubject: second, LF only\n\n\u00e9t\u00e9 in UTF-8\n\n',
];
const lf = (text: string): string => text.replace(/\r\n/g, '\n');
const EXPECTED = FIXTURES.map(lf);

const WITH_FIXTURES = { users: { alice: 'secret' }, mail: { alice: FIXTURES } };
afterEach(cleanUpDaemons);

const mailboxFiles = (daemon: RunningSite): string[] => ['new', 'cur'].flatMap((sub) => readdirSync(join(daemon.maildir('alice'), sub)));

/** Runs a client; resolves with its exit code and output instead of rejecting on a non-zero exit. */
async function client(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  try {
    const { stdout, stderr } = await run(command, args, { timeout: 30_000, env, encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** fetchmail, configured by a private rc file (it insists on mode 0600), delivering through an MDA into an mbox. */
async function fetchmail(daemon: RunningSite, options: { keep: boolean; protocol?: 'POP3' | 'APOP' }) {
  const home = join(daemon.site.dir, 'fetchmail');
  mkdirSync(home, { recursive: true });
  const mbox = join(home, 'mbox');
  const rc = join(home, 'fetchmailrc');
  const auth = options.protocol === 'APOP' ? '' : ' auth password';
  writeFileSync(
    rc,
    `poll 127.0.0.1 protocol ${options.protocol ?? 'POP3'} port ${daemon.port('pop3')}${auth}\n` +
      `  user "alice" there with password "secret" is "alice" here\n  sslproto '' no rewrite\n`,
  );
  chmodSync(rc, 0o600);
  const flags = [...(options.keep ? ['--keep'] : []), '--nosyslog', '--mda', `cat >> ${mbox}`, '-f', rc];
  const result = await client('fetchmail', flags, { ...process.env, HOME: home, FETCHMAILHOME: home });
  // fetchmail puts its own Received: header in front of each message it hands to the MDA.
  const messages = existsSync(mbox)
    ? readFileSync(mbox, 'utf8')
        .split(/^Received: from 127\.0\.0\.1 \[127\.0\.0\.1\]\n(?:\t.*\n)+/m)
        .slice(1)
    : [];
  return { ...result, messages };
}

/** mpop into a Maildir folder of its own (no mbox "From " quoting), its Received: header off. */
async function mpop(daemon: RunningSite, auth: 'user' | 'apop' | 'plain') {
  const target = join(daemon.site.dir, `mpop-${auth}`);
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(target, sub), { recursive: true });
  const result = await client('mpop', [
    '--host=127.0.0.1',
    `--port=${daemon.port('pop3')}`,
    '--user=alice',
    "--passwordeval=echo secret",
    `--auth=${auth}`,
    '--tls=off',
    '--keep=on',
    '--received-header=off',
    `--delivery=maildir,${target}`,
    `--uidls-file=${join(daemon.site.dir, `mpop-${auth}.uidls`)}`,
  ]);
  const messages = readdirSync(join(target, 'new')).map((name) => readFileSync(join(target, 'new', name), 'utf8'));
  return { ...result, messages };
}

const POPLIB = `
import json, poplib, sys
p = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=20)
p.user('alice'); p.pass_('secret')
count, _ = p.stat()
print(json.dumps([b''.join(line + b'\\n' for line in p.retr(n)[1]).decode('utf8') for n in range(1, count + 1)]))
p.quit()
`;

describe('real POP3 clients', () => {
  it('fetchmail --keep (USER/PASS) delivers every message through its MDA and leaves them on the server', async () => {
    const daemon = await startSite(WITH_FIXTURES);
    const result = await fetchmail(daemon, { keep: true });
    expect(result.code, result.stderr).toBe(0);
    expect(result.messages).toEqual(EXPECTED);
    expect(mailboxFiles(daemon)).toHaveLength(2);
  });

  it('fetchmail without --keep leaves the mailbox empty, and a second run finds no mail', async () => {
    const daemon = await startSite(WITH_FIXTURES);
    const first = await fetchmail(daemon, { keep: false });
    expect(first.code, first.stderr).toBe(0);
    expect(first.messages).toEqual(EXPECTED);
    expect(mailboxFiles(daemon)).toEqual([]);
    // fetchmail's exit code 1 means "no mail".
    const again = await fetchmail(daemon, { keep: false });
    expect(again.code).toBe(1);
    expect(again.messages).toEqual(EXPECTED);
  });

  it('fetchmail with APOP', async () => {
    const result = await fetchmail(await startSite(WITH_FIXTURES), { keep: true, protocol: 'APOP' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.messages).toEqual(EXPECTED);
  });

  it.each(['user', 'apop', 'plain'] as const)('mpop --auth=%s retrieves every message byte for byte, keeping them', async (auth) => {
    const daemon = await startSite(WITH_FIXTURES);
    const result = await mpop(daemon, auth);
    expect(result.code, result.stderr).toBe(0);
    expect(result.messages.sort()).toEqual([...EXPECTED].sort());
    expect(mailboxFiles(daemon)).toHaveLength(2);
  });

  it.each([
    ['its default (SASL PLAIN)', []],
    ['APOP', ['--login-options', 'AUTH=+APOP']],
  ])('curl with %s retrieves each message by number', async (_, options) => {
    const port = (await startSite(WITH_FIXTURES)).port('pop3');
    for (const [index, expected] of EXPECTED.entries()) {
      const result = await client('curl', ['-s', '-S', '--max-time', '20', ...options, `pop3://alice:secret@127.0.0.1:${port}/${index + 1}`]);
      expect(result.code, result.stderr).toBe(0);
      expect(lf(result.stdout)).toBe(expected);
    }
  });

  it('Python poplib retrieves every message byte for byte', async () => {
    const port = (await startSite(WITH_FIXTURES)).port('pop3');
    expect(await python<string[]>(POPLIB, String(port))).toEqual(EXPECTED);
  });
});
