/**
 * A private Dovecot 2.3 (Debian's dovecot-pop3d and dovecot-imapd) for end-to-end tests: its own config, base_dir
 * and log under a site's folder, POP3 and IMAP on free loopback ports, the site's users file and Maildirs. Never the
 * system service. Dovecot refuses uid 0 for mail, so when the tests run as root the Maildirs belong to a system
 * user made for them (MAIL_USER), and pop3d drops to it too (`daemon.user`), as both would run on a real site.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const DOVECOT = process.env.DOVECOT ?? '/usr/sbin/dovecot';
const MAIL_USER = 'pop3dmail';

export interface MailOwner {
  readonly uid: number;
  readonly gid: number;
  /** For pop3d's `daemon` config section; undefined when the tests do not run as root. */
  readonly names: { readonly user: string; readonly group: string } | undefined;
}

/** Who owns the Maildirs: MAIL_USER (created when missing) under root, else whoever runs the tests. */
export function mailOwner(): MailOwner {
  if (process.getuid?.() !== 0) return { uid: process.getuid!(), gid: process.getgid!(), names: undefined };
  const id = (flag: string) => spawnSync('id', [flag, MAIL_USER], { encoding: 'utf8' });
  if (id('-u').status !== 0) execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', MAIL_USER]);
  return { uid: Number(id('-u').stdout), gid: Number(id('-g').stdout), names: { user: MAIL_USER, group: id('-gn').stdout.trim() } };
}

/** Gives the tree to the mail owner (a no-op when it is us). */
export function chownTree(path: string, owner: MailOwner): void {
  if (owner.names !== undefined) execFileSync('chown', ['-R', `${owner.uid}:${owner.gid}`, path]);
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as { port: number };
  await new Promise((closed) => server.close(closed));
  return port;
}

async function waitForGreeting(port: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const greeted = await new Promise<boolean>((done) => {
      const socket = new Socket();
      socket.once('data', () => {
        done(true);
        socket.destroy();
      });
      socket.once('error', () => done(false));
      socket.connect(port, '127.0.0.1');
    });
    if (greeted) return;
    await sleep(100);
  }
  throw new Error(`Dovecot did not answer on port ${port}`);
}

export interface RunningDovecot {
  readonly pop3: number;
  readonly imap: number;
  readonly logFile: string;
  stop(): Promise<void>;
}

/** Starts Dovecot in the foreground on `dir`'s users file and `mail/%u/Maildir`, with Dovecot's own defaults otherwise. */
export async function startDovecot(dir: string, owner: MailOwner): Promise<RunningDovecot> {
  const [pop3, imap] = [await freePort(), await freePort()];
  const root = join(dir, 'dovecot');
  for (const sub of ['run', 'state']) mkdirSync(join(root, sub), { recursive: true });
  const logFile = join(root, 'dovecot.log');
  const configFile = join(root, 'dovecot.conf');
  writeFileSync(
    configFile,
    `protocols = pop3 imap
listen = 127.0.0.1
base_dir = ${root}/run
state_dir = ${root}/state
log_path = ${logFile}
info_log_path = ${root}/info.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 1
mail_location = maildir:${dir}/mail/%u/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users.passwd
}
userdb {
  driver = static
  args = uid=${owner.uid} gid=${owner.gid} home=${dir}/mail/%u
}
service pop3-login {
  inet_listener pop3 {
    port = ${pop3}
  }
}
service imap-login {
  inet_listener imap {
    port = ${imap}
  }
  inet_listener imaps {
    port = 0
  }
}
`,
  );
  // The auth process reads the users file as Dovecot's internal user.
  chmodSync(join(dir, 'users.passwd'), 0o644);
  const child = spawn(DOVECOT, ['-F', '-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const deadline = Date.now() + 20_000;
  try {
    await Promise.race([
      Promise.all([waitForGreeting(pop3, deadline), waitForGreeting(imap, deadline)]),
      exited.then(() => Promise.reject(new Error(`Dovecot exited: ${stderr}`))),
    ]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    pop3,
    imap,
    logFile,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
