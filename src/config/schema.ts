import { z } from 'zod';
import { DEFAULT_UIDL_FORMAT, parseUidlFormat } from '../maildir/dovecot/uidl-format.js';
import { templateProblem } from '../maildir/path.js';
import { cidrProblem } from '../net/address.js';
import { ldapSchema, postgresqlSchema } from './user-sources.js';

const port = z.int().min(0).max(65535);
const host = z.string().min(1);
const seconds = z.number().positive();
/** An address or `address/prefix`, checked the way net.BlockList will read it. */
const cidr = z.string().refine((text) => cidrProblem(text) === undefined, { error: (issue) => cidrProblem(String(issue.input)) });
/** Read a PROXY protocol header (v1 or v2) first, from proxy.trustedProxies only; see net/proxy-reader.ts. */
const proxyProtocol = z.boolean().default(false);

function checkUidlFormat(format: string, context: z.RefinementCtx): void {
  try {
    parseUidlFormat(format);
  } catch (err) {
    context.addIssue({ code: 'custom', message: (err as Error).message });
  }
}

/** Every key the daemon reads, with its default. Unknown keys are an error, so typos never pass silently. */
export const configSchema = z.strictObject({
  pop3: z
    .strictObject({
      host: host.default('127.0.0.1'),
      port: port.default(1110),
      /** RFC 1939 autologout: at least 10 minutes of silence. */
      idleTimeout: seconds.default(600),
      /** Silence allowed before login (far shorter: unauthenticated connections must not pile up). */
      loginTimeout: seconds.default(60),
      proxyProtocol,
    })
    .prefault({}),
  /** Implicit-TLS POP3 (995 in production); listens only when `tls` is set. */
  pop3s: z
    .strictObject({
      host: host.default('127.0.0.1'),
      port: port.default(1995),
      proxyProtocol,
    })
    .prefault({}),
  /** Load balancers allowed to send the PROXY header on listeners that expect it. */
  proxy: z
    .strictObject({
      trustedProxies: z.array(cidr).default([]),
    })
    .prefault({}),
  /** POP3 worker processes sharing the listeners (node:cluster); "auto" is one per core. 1 runs no cluster. */
  workers: z.union([z.int().min(1).max(256), z.literal('auto')]).default(1),
  cluster: z
    .strictObject({
      /**
       * How the workers get their connections: "kernel", each accepts from the shared socket (no work in the
       * primary per connection); "round-robin", the primary accepts each and passes it to the next worker.
       */
      scheduling: z.enum(['kernel', 'round-robin']).default('kernel'),
    })
    .prefault({}),
  /** Server certificate and key (PEM files, relative to the config file). Enables STLS and pop3s; reloaded on SIGHUP. */
  tls: z
    .strictObject({ cert: z.string().min(1).optional(), key: z.string().min(1).optional() })
    .refine((tls) => (tls.cert === undefined) === (tls.key === undefined), { message: 'set both cert and key, or neither' })
    .prefault({}),
  auth: z
    .strictObject({
      /** Allow USER/PASS and SASL PLAIN without TLS from any network (APOP is always allowed). */
      allowPlaintext: z.boolean().default(false),
      /** Networks where plaintext authentication is allowed and the per-address limit does not apply. */
      trustedNetworks: z.array(cidr).default(['127.0.0.0/8', '::1/128']),
      /** Milliseconds a failed login's reply is held back, doubling per further failure from the address; 0 = off. */
      failureDelay: z.int().min(0).default(1000),
      /** Cap of that delay, in milliseconds. */
      failureDelayMax: z.int().min(0).default(30_000),
      /** Failed logins per connection; the last one closes it. */
      maxFailuresPerConnection: z.int().min(1).default(3),
      /** Look names up lower-cased, as Dovecot's default `auth_username_format = %Lu`. */
      lowercaseNames: z.boolean().default(true),
      /** Appended as `@domain` to a login name without `@` (Dovecot's `auth_default_realm`). */
      defaultDomain: z.string().regex(/^[^@\s/%]+$/u, 'must be a domain name, without "@"').optional(),
    })
    .prefault({}),
  limits: z
    .strictObject({
      /** Simultaneous POP3 connections (pop3 and pop3s together); 0 = no limit. */
      maxConnections: z.int().min(0).max(1_000_000).default(1000),
      /** Simultaneous POP3 connections from one address (trusted networks exempt); 0 = no limit. */
      maxConnectionsPerAddress: z.int().min(0).default(20),
    })
    .prefault({}),
  /** Started as root (to bind 110/995): switch to this user and group once listening. */
  daemon: z
    .strictObject({ user: z.string().min(1).optional(), group: z.string().min(1).optional() })
    .refine((daemon) => daemon.user === undefined || daemon.group !== undefined, {
      path: ['group'],
      message: 'required with daemon.user (else the group would stay root)',
    })
    .prefault({}),
  mail: z
    .strictObject({
      /** Path of a user's Maildir: `%u` user, `%n` its part before "@", `%d` after it, `%h` home (maildir/path.ts). */
      maildir: z
        .string()
        .refine((template) => templateProblem(template) === undefined, { error: (issue) => templateProblem(String(issue.input)) })
        .default('mail/%u/Maildir'),
      /** Create a missing Maildir (cur/new/tmp) at start and at login. */
      autocreate: z.boolean().default(false),
      /** A message file delivered into every Maildir that the daemon creates. */
      welcome: z.string().optional(),
      /** A lock not refreshed for this long belongs to a dead process and may be taken over. */
      lockStaleSeconds: z.number().min(2).default(30),
      /** Dovecot's pop3_uidl_format (%u %v %f); formats with %u or %v keep Dovecot's dovecot-uidlist. */
      uidlFormat: z.string().superRefine(checkUidlFormat).default(DEFAULT_UIDL_FORMAT),
      /** Like Dovecot's POP3 (unless pop3_no_flag_updates): new/ to cur/ at login, RETR marks messages seen. */
      flagUpdates: z.boolean().default(true),
    })
    .prefault({}),
  users: z
    .strictObject({
      /** Where users are kept: the passwd-file (`file`), PostgreSQL (`postgresql`) or LDAP (`ldap`). */
      source: z.enum(['passwd-file', 'postgresql', 'ldap']).default('passwd-file'),
      /** Dovecot passwd-file: `name:{SCHEME}secret[:...]`. */
      file: z.string().default('users.passwd'),
      /** Seconds a directory call may take before it fails as unavailable (`-ERR [SYS/TEMP]`). */
      timeout: seconds.default(5),
      /** Dovecot's auth cache: seconds found and unknown users are remembered, and how many; 0 = off. */
      cache: z
        .strictObject({
          ttl: z.number().min(0).default(60),
          negativeTtl: z.number().min(0).default(10),
          size: z.int().min(0).default(10_000),
        })
        .prefault({}),
      postgresql: postgresqlSchema.optional(),
      ldap: ldapSchema.optional(),
    })
    .refine((users) => users.source === 'passwd-file' || users[users.source] !== undefined, {
      error: (issue) => `users.source is ${(issue.input as { source: string }).source}: its section is missing`,
    })
    .prefault({}),
  push3: z
    .strictObject({
      enabled: z.boolean().default(true),
      host: host.default('127.0.0.1'),
      port: port.default(2254),
      /** Users of the users file who may LOGIN to Push3. */
      admins: z.array(z.string()).default([]),
      /** Speak TLS from the first byte (like pop3s), with the `tls` certificate. */
      tls: z.boolean().default(false),
    })
    .prefault({}),
  /** Prometheus `GET /metrics`, served beside Push3 from the same metrics stream. */
  prometheus: z
    .strictObject({
      enabled: z.boolean().default(true),
      host: host.default('127.0.0.1'),
      /** 0 picks a free port. */
      port: port.default(9110),
      /** The dashboard (`/`, `/events`) answers off-loopback clients only with this token; unset: loopback only. */
      dashboardToken: z.string().min(16, 'at least 16 characters').optional(),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      /** Lines are gathered and written together at most this long after they are logged; 0 = each line at once. */
      flushMs: z.number().int().min(0).max(10_000).default(100),
    })
    .prefault({}),
  shutdown: z
    .strictObject({
      /** On SIGTERM, sessions get this long to finish before they are closed. */
      graceSeconds: z.number().min(0).default(10),
    })
    .prefault({}),
}).refine((config) => !config.push3.tls || config.tls.cert !== undefined, {
  path: ['push3', 'tls'],
  message: 'needs tls.cert and tls.key',
}).refine((config) => !(config.pop3.proxyProtocol || config.pop3s.proxyProtocol) || config.proxy.trustedProxies.length > 0, {
  path: ['proxy', 'trustedProxies'],
  message: 'needs at least one balancer address when a listener expects the PROXY protocol',
});

export type Config = z.infer<typeof configSchema>;
