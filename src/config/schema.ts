import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { DEFAULT_UIDL_FORMAT, parseUidlFormat } from '../maildir/dovecot/uidl-format.js';
import { templateProblem } from '../maildir/path.js';
import { cidrProblem } from '../net/address.js';
import { ldapSchema, nonEmpty, postgresqlSchema } from './user-sources.js';

/*
 * zod's functional "mini" API: the program carries only the checks named here (some 60 kB, against about
 * 750 kB for the chained API, which every `pop3d deliver` an MTA starts would parse), with English messages.
 */
z.config(en());

/**
 * Node's timers wait at most 2^31-1 ms: a longer one fires at once, with a warning, and a clock re-armed on it
 * spins. Every setting that becomes a timer stays below that.
 */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
/** A drain longer than a day is no drain; it also leaves room for the margin a cluster adds to it. */
const MAX_GRACE_SECONDS = 86_400;

const port = () => z.int().check(z.minimum(0), z.maximum(65535));
const seconds = () => z.number().check(z.positive(), z.maximum(MAX_TIMER_SECONDS));
const flag = (value: boolean) => z._default(z.boolean(), value);
/** A whole number from `min` up. */
const count = (min: number) => z.int().check(z.minimum(min));
/** An address or `address/prefix`, checked the way net.BlockList will read it. */
const cidr = z.string().check(z.refine((text) => cidrProblem(text) === undefined, { error: (issue) => cidrProblem(String(issue.input)) }));
/** Read a PROXY protocol header (v1 or v2) first, from proxy.trustedProxies only; see net/proxy-reader.ts. */
const proxyProtocol = flag(false);

type Section<Shape extends z.core.$ZodLooseShape> = ReturnType<typeof z.strictObject<Shape>>;

/**
 * A section whose every key has a default or is optional, so that it may be left out (parsed as `{}`);
 * `checked` adds the checks across its keys.
 */
const section = <Shape extends z.core.$ZodLooseShape>(shape: Shape, checked = (object: Section<Shape>) => object) => {
  const object = checked(z.strictObject(shape));
  // Through the generic, TypeScript cannot see that every key is optional on input.
  return z.prefault(object, {} as z.input<typeof object>);
};

const uidlFormatChecked = z.superRefine<string>((format, context) => {
  try {
    parseUidlFormat(format);
  } catch (err) {
    context.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

/** Every key the daemon reads, with its default. Unknown keys are an error, so typos never pass silently. */
export const configSchema = z
  .strictObject({
    pop3: section({
      host: z._default(nonEmpty(), '127.0.0.1'),
      port: z._default(port(), 1110),
      /** RFC 1939 autologout: at least 10 minutes of silence. */
      idleTimeout: z._default(seconds(), 600),
      /** Silence allowed before login (far shorter: unauthenticated connections must not pile up). */
      loginTimeout: z._default(seconds(), 60),
      proxyProtocol,
    }),
    /** Implicit-TLS POP3 (995 in production); listens only when `tls` is set. */
    pop3s: section({
      host: z._default(nonEmpty(), '127.0.0.1'),
      port: z._default(port(), 1995),
      proxyProtocol,
    }),
    /** Load balancers allowed to send the PROXY header on listeners that expect it. */
    proxy: section({
      trustedProxies: z._default(z.array(cidr), []),
    }),
    /** POP3 worker processes sharing the listeners (node:cluster); "auto" is one per core. 1 runs no cluster. */
    workers: z._default(z.union([z.int().check(z.minimum(1), z.maximum(256)), z.literal('auto')]), 1),
    cluster: section({
      /**
       * How the workers get their connections: "kernel", each accepts from the shared socket (no work in the
       * primary per connection); "round-robin", the primary accepts each and passes it to the next worker.
       */
      scheduling: z._default(z.enum(['kernel', 'round-robin']), 'kernel'),
    }),
    /** Server certificate and key (PEM files, relative to the config file). Enables STLS and pop3s; reloaded on SIGHUP. */
    tls: section({ cert: z.optional(nonEmpty()), key: z.optional(nonEmpty()) }, (tls) =>
      tls.check(z.refine((files) => (files.cert === undefined) === (files.key === undefined), { message: 'set both cert and key, or neither' })),
    ),
    auth: section({
      /** Allow USER/PASS and SASL PLAIN without TLS from any network (APOP is always allowed). */
      allowPlaintext: flag(false),
      /** Networks where plaintext authentication is allowed and the per-address limit does not apply. */
      trustedNetworks: z._default(z.array(cidr), ['127.0.0.0/8', '::1/128']),
      /** Milliseconds a failed login's reply is held back, doubling per further failure from the address; 0 = off. */
      failureDelay: z._default(count(0).check(z.maximum(MAX_TIMER_SECONDS * 1000)), 1000),
      /** Cap of that delay, in milliseconds. */
      failureDelayMax: z._default(count(0).check(z.maximum(MAX_TIMER_SECONDS * 1000)), 30_000),
      /** Failed logins per connection; the last one closes it. */
      maxFailuresPerConnection: z._default(count(1), 3),
      /** Look names up lower-cased, as Dovecot's default `auth_username_format = %Lu`. */
      lowercaseNames: flag(true),
      /** Appended as `@domain` to a login name without `@` (Dovecot's `auth_default_realm`). */
      defaultDomain: z.optional(z.string().check(z.regex(/^[^@\s/%]+$/u, 'must be a domain name, without "@"'))),
    }),
    limits: section({
      /** Simultaneous POP3 connections (pop3 and pop3s together); 0 = no limit. */
      maxConnections: z._default(count(0).check(z.maximum(1_000_000)), 1000),
      /** Simultaneous POP3 connections from one address (trusted networks exempt); 0 = no limit. */
      maxConnectionsPerAddress: z._default(count(0), 20),
    }),
    /** Started as root (to bind 110/995): switch to this user and group once listening. */
    daemon: section({ user: z.optional(nonEmpty()), group: z.optional(nonEmpty()) }, (daemon) =>
      daemon.check(
        z.refine((run) => run.user === undefined || run.group !== undefined, {
          path: ['group'],
          message: 'required with daemon.user (else the group would stay root)',
        }),
      ),
    ),
    mail: section({
      /** Path of a user's Maildir: `%u` user, `%n` its part before "@", `%d` after it, `%h` home (maildir/path.ts). */
      maildir: z._default(
        z
          .string()
          .check(z.refine((template) => templateProblem(template) === undefined, { error: (issue) => templateProblem(String(issue.input)) })),
        'mail/%u/Maildir',
      ),
      /** Create a missing Maildir (cur/new/tmp) at start and at login. */
      autocreate: flag(false),
      /** A message file delivered into every Maildir that the daemon creates. */
      welcome: z.optional(z.string()),
      /** A lock not refreshed for this long belongs to a dead process and may be taken over. */
      lockStaleSeconds: z._default(z.number().check(z.minimum(2), z.maximum(MAX_TIMER_SECONDS)), 30),
      /** Dovecot's pop3_uidl_format (%u %v %f); formats with %u or %v keep Dovecot's dovecot-uidlist. */
      uidlFormat: z._default(z.string().check(uidlFormatChecked), DEFAULT_UIDL_FORMAT),
      /** Like Dovecot's POP3 (unless pop3_no_flag_updates): new/ to cur/ at login, RETR marks messages seen. */
      flagUpdates: flag(true),
    }),
    users: section(
      {
        /** Where users are kept: the passwd-file (`file`), PostgreSQL (`postgresql`) or LDAP (`ldap`). */
        source: z._default(z.enum(['passwd-file', 'postgresql', 'ldap']), 'passwd-file'),
        /** Dovecot passwd-file: `name:{SCHEME}secret[:...]`. */
        file: z._default(z.string(), 'users.passwd'),
        /** Seconds a directory call may take before it fails as unavailable (`-ERR [SYS/TEMP]`). */
        timeout: z._default(seconds(), 5),
        /** Dovecot's auth cache: seconds found and unknown users are remembered, and how many; 0 = off. */
        cache: section({
          ttl: z._default(z.number().check(z.minimum(0)), 60),
          negativeTtl: z._default(z.number().check(z.minimum(0)), 10),
          size: z._default(count(0), 10_000),
        }),
        postgresql: z.optional(postgresqlSchema),
        ldap: z.optional(ldapSchema),
      },
      (users) =>
        users.check(
          z.refine((chosen) => chosen.source === 'passwd-file' || chosen[chosen.source] !== undefined, {
            error: (issue) => `users.source is ${(issue.input as { source: string }).source}: its section is missing`,
          }),
        ),
    ),
    push3: section({
      enabled: flag(true),
      host: z._default(nonEmpty(), '127.0.0.1'),
      port: z._default(port(), 2254),
      /** Users of the users file who may LOGIN to Push3. */
      admins: z._default(z.array(z.string()), []),
      /** Speak TLS from the first byte (like pop3s), with the `tls` certificate. */
      tls: flag(false),
    }),
    /** Prometheus `GET /metrics`, served beside Push3 from the same metrics stream. */
    prometheus: section({
      enabled: flag(true),
      host: z._default(nonEmpty(), '127.0.0.1'),
      /** 0 picks a free port. */
      port: z._default(port(), 9110),
      /** The dashboard (`/`, `/events`) answers off-loopback clients only with this token; unset: loopback only. */
      dashboardToken: z.optional(z.string().check(z.minLength(16, 'at least 16 characters'))),
    }),
    log: section({
      level: z._default(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'info'),
      /** Lines are gathered and written together at most this long after they are logged; 0 = each line at once. */
      flushMs: z._default(count(0).check(z.maximum(10_000)), 100),
    }),
    shutdown: section({
      /** On SIGTERM, sessions get this long to finish before they are closed. */
      graceSeconds: z._default(z.number().check(z.minimum(0), z.maximum(MAX_GRACE_SECONDS)), 10),
    }),
  })
  .check(
    z.refine((config) => !config.push3.tls || config.tls.cert !== undefined, {
      path: ['push3', 'tls'],
      message: 'needs tls.cert and tls.key',
    }),
    z.refine((config) => !(config.pop3.proxyProtocol || config.pop3s.proxyProtocol) || config.proxy.trustedProxies.length > 0, {
      path: ['proxy', 'trustedProxies'],
      message: 'needs at least one balancer address when a listener expects the PROXY protocol',
    }),
  );

export type Config = z.infer<typeof configSchema>;
