import { z } from 'zod';

/*
 * The settings of the PostgreSQL and LDAP user sources (users.postgresql, users.ldap), Dovecot's
 * dovecot-sql.conf.ext and dovecot-ldap.conf.ext in JSON. The README maps each key to Dovecot's.
 */

const query = z.string().min(1);

export const postgresqlSchema = z.strictObject({
  /** `postgresql://user:password@host:port/database` (libpq's URL, as `connect` in dovecot-sql.conf.ext). */
  url: z.string().min(1),
  /** `$1` is the user name. Columns: `password` ({SCHEME}secret), optionally `maildir` and `home`. */
  passwordQuery: query,
  /** The user names, in the first column (Push3 USERS, `pop3d user list`, autocreate at start). */
  listQuery: query.optional(),
  /** `$1` the name, `$2` the {ARGON2ID} hash. Unset: adding users is refused as not configured. */
  addQuery: query.optional(),
  /** `$1` the name, `$2` the new hash. */
  passwordUpdateQuery: query.optional(),
  /** `$1` the name. */
  deleteQuery: query.optional(),
  /** Connections in the pool, at most. */
  poolSize: z.int().min(1).max(100).default(4),
});

export const ldapSchema = z.strictObject({
  /** Tried in order until one answers: `ldap://host:389`, `ldaps://host:636`. */
  urls: z.array(z.string().regex(/^ldaps?:\/\//u, 'must start with ldap:// or ldaps://')).min(1),
  /** StartTLS on ldap:// URLs before binding. */
  startTls: z.boolean().default(false),
  /** A PEM CA file to verify the server's certificate with (default: the system's CAs). */
  caFile: z.string().min(1).optional(),
  /** The service account that searches for users; unset: anonymous search. */
  bindDn: z.string().min(1).optional(),
  bindPassword: z.string().optional(),
  base: z.string().min(1),
  /** The user filter; `%u`, `%n`, `%d` are replaced by the name's parts, escaped as RFC 4515 says. */
  filter: z.string().min(1).default('(&(objectClass=inetOrgPerson)(uid=%n))'),
  /** Lists the users (for USERS, `pop3d user list`); the name is read from `nameAttribute`. */
  listFilter: z.string().min(1).default('(objectClass=inetOrgPerson)'),
  nameAttribute: z.string().min(1).default('uid'),
  /** `bind`: the password is checked by binding as the user's DN. `password`: read from `passwordAttribute`. */
  auth: z.enum(['bind', 'password']).default('bind'),
  passwordAttribute: z.string().min(1).default('userPassword'),
  /** The attribute holding the user's Maildir (a path, or `maildir:<path>`); unset: mail.maildir. */
  maildirAttribute: z.string().min(1).optional(),
  homeAttribute: z.string().min(1).optional(),
});

export type PostgresqlSettings = z.infer<typeof postgresqlSchema>;
export type LdapSettings = z.infer<typeof ldapSchema>;
