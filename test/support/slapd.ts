import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.mjs';

/*
 * A private OpenLDAP slapd for one test file: a generated slapd.conf on a temp dir (an mdb database for
 * dc=example,dc=org, the service account allowed to read passwords), the README's LDIF loaded with slapadd,
 * listening on loopback ports only (ldap://, with StartTLS, and ldaps://, with a self-signed certificate for
 * 127.0.0.1 made here); stopped and removed after.
 */

const EXAMPLES = resolve(import.meta.dirname, '../../config/examples');
const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';

export interface PrivateSlapd {
  readonly url: string;
  /** The same server over implicit TLS. */
  readonly ldapsUrl: string;
  /** The self-signed certificate the server presents (the CA to trust). */
  readonly caFile: string;
  readonly port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  remove(): Promise<void>;
}

function slapdConf(dir: string): string {
  return `TLSCertificateFile ${join(dir, 'cert.pem')}
TLSCertificateKeyFile ${join(dir, 'key.pem')}
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
include ${join(EXAMPLES, 'pop3d.schema')}
pidfile ${join(dir, 'slapd.pid')}
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 10485760
suffix "dc=example,dc=org"
rootdn "cn=admin,dc=example,dc=org"
directory ${join(dir, 'db')}
access to attrs=userPassword by dn.exact="cn=pop3d,dc=example,dc=org" read by anonymous auth by * none
access to * by * read
`;
}

async function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      done(true);
    });
    socket.on('error', () => done(false));
  });
}

/** `homeBase` replaces /var/vmail in the LDIF, so that home directories are inside the test's site. */
export async function startSlapd(homeBase: string): Promise<PrivateSlapd> {
  const dir = mkdtempSync(join(tmpdir(), 'pop3d-ldap-'));
  mkdirSync(join(dir, 'db'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const conf = join(dir, 'slapd.conf');
  writeFileSync(conf, slapdConf(dir));
  const ldif = join(dir, 'users.ldif');
  writeFileSync(ldif, readFileSync(join(EXAMPLES, 'ldap-users.ldif'), 'utf8').replaceAll('/var/vmail', homeBase));
  execFileSync(SLAPADD, ['-f', conf, '-l', ldif], { stdio: 'pipe' });
  const port = await freePort();
  const tlsPort = await freePort();
  let child: ChildProcess | undefined;
  const slapd = {
    url: `ldap://127.0.0.1:${port}`,
    ldapsUrl: `ldaps://127.0.0.1:${tlsPort}`,
    caFile: join(dir, 'cert.pem'),
    port,
    async start() {
      // -d keeps it in the foreground, so the test owns the process; level 0 logs nothing.
      const urls = `ldap://127.0.0.1:${port}/ ldaps://127.0.0.1:${tlsPort}/`;
      child = spawn(SLAPD, ['-f', conf, '-h', urls, '-d', '0'], { stdio: 'ignore' });
      for (let waited = 0; !(await listening(port)); waited += 50) {
        if (waited > 10_000 || child.exitCode !== null) throw new Error('slapd did not start');
        await sleep(50);
      }
    },
    async stop() {
      const running = child;
      child = undefined;
      if (running === undefined || running.exitCode !== null) return;
      const exited = new Promise((done) => running.once('exit', done));
      running.kill('SIGTERM');
      await exited;
    },
    async remove() {
      await slapd.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await slapd.start();
  return slapd;
}
