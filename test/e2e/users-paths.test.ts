import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { cleanUpDaemons, makeSite, startSite } from '../support/daemon.js';
import { userPassLogin } from '../support/logins.js';

/* Users and paths as on a Dovecot site, with the passwd-file: virtual domains, homes, per-user Maildirs. */

afterEach(cleanUpDaemons);

function maildir(path: string, message?: string): void {
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(path, sub), { recursive: true });
  if (message !== undefined) writeFileSync(join(path, 'new', '1700000000.M1P1.test'), message);
}

describe('users and Maildir paths from the passwd-file', () => {
  it('serves vmail/%d/%n, userdb_mail with ~ for home, and the default domain; a missing Maildir is -ERR [SYS/TEMP], logged', async () => {
    const site = makeSite({
      users: {},
      config: { mail: { maildir: 'vmail/%d/%n/Maildir' }, auth: { defaultDomain: 'example.org' } },
    });
    const home = join(site.dir, 'home', 'carol');
    writeFileSync(
      join(site.dir, 'users.passwd'),
      [
        'alice@example.org:{PLAIN}secret',
        `carol@example.net:{PLAIN}c:1000:1000::${home}::userdb_mail=maildir:~/Maildir`,
        'dan@example.org:{PLAIN}d',
        '',
      ].join('\n'),
    );
    maildir(join(site.dir, 'vmail', 'example.org', 'alice', 'Maildir'), 'Subject: a\n\nalice\n');
    maildir(join(home, 'Maildir'), 'Subject: c\n\ncarol\n');
    const daemon = await startSite({ site });
    const port = daemon.port('pop3');
    expect(await userPassLogin(port, 'Alice', 'secret')).toBe('+OK Logged in: 1 message (21 octets)');
    expect(await userPassLogin(port, 'carol@example.net', 'c')).toBe('+OK Logged in: 1 message (21 octets)');
    // dan has no Maildir (autocreate is off): never an empty maildrop.
    expect(await userPassLogin(port, 'dan', 'd')).toBe('-ERR [SYS/TEMP] Unable to open the mailbox');
    await expect
      .poll(() => daemon.logs.find((entry) => entry.event === 'error' && String(entry.message).includes('no Maildir at')))
      .toMatchObject({ message: expect.stringContaining(join(site.dir, 'vmail', 'example.org', 'dan', 'Maildir')) });
  });

  it('check-config refuses an unknown % variable in mail.maildir', async () => {
    const site = makeSite({ config: { mail: { maildir: 'vmail/%d/%z/Maildir' } } });
    const result = await runCli(['check-config', '--config', site.configFile]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/mail\.maildir: unknown variable %z/u);
  });
});
