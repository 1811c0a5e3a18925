import * as z from 'zod/mini';

/*
 * The settings of the PostgreSQL and LDAP user sources (users.postgresql, users.ldap), Dovecot's
 * dovecot-sql.conf.ext and dovecot-ldap.conf.ext in JSON. The README maps each key to Dovecot's.
 */

/** A string that must not be empty. */
export const nonEmpty = () => z.string().check(z.minLength(1));

const query = nonEmpty();

export const postgresqlSchema = z.strictObject({
  /** `postgresql://user:password@host:port/database` (libpq's URL, as `connect` in dovecot-sql.conf.ext). */
  url: nonEmpty(),
  /** `$1` is the user name. Columns: `password` ({SCHEME}secret), optionally `maildir` and `home`. */
  passwordQuery: query,
  /** The user names, in the first column (Push3 USERS, `pop3d user list`, autocreate at start). */
  listQuery: z.optional(query),
  /** `$1` the name, `$2` the {ARGON2ID} hash. Unset: adding users is refused as not configured. */
  addQuery: z.optional(query),
  /** `$1` the name, `$2` the new hash. */
  passwordUpdateQuery: z.optional(query),
  /** `$1` the name. */
  deleteQuery: z.optional(query),
  /** Connections in the pool, at most. */
  poolSize: z._default(z.int().check(z.minimum(1), z.maximum(100)), 4),
});

export const ldapSchema = z.strictObject({
  /** Tried in order until one answers: `ldap://host:389`, `ldaps://host:636`. */
  urls: z.array(z.string().check(z.regex(/^ldaps?:\/\//u, 'must start with ldap:// or ldaps://'))).check(z.minLength(1)),
  /** StartTLS on ldap:// URLs before binding. */
  startTls: z._default(z.boolean(), false),
  /** A PEM CA file to verify the server's certificate with (default: the system's CAs). */
  caFile: z.optional(nonEmpty()),
  /** The service account that searches for users; unset: anonymous search. */
  bindDn: z.optional(nonEmpty()),
  bindPassword: z.optional(z.string()),
  base: nonEmpty(),
  /** The user filter; `%u`, `%n`, `%d` are replaced by the name's parts, escaped as RFC 4515 says. */
  filter: z._default(nonEmpty(), '(&(objectClass=inetOrgPerson)(uid=%n))'),
  /** Lists the users (for USERS, `pop3d user list`); the name is read from `nameAttribute`. */
  listFilter: z._default(nonEmpty(), '(objectClass=inetOrgPerson)'),
  nameAttribute: z._default(nonEmpty(), 'uid'),
  /** `bind`: the password is checked by binding as the user's DN. `password`: read from `passwordAttribute`. */
  auth: z._default(z.enum(['bind', 'password']), 'bind'),
  passwordAttribute: z._default(nonEmpty(), 'userPassword'),
  /** The attribute holding the user's Maildir (a path, or `maildir:<path>`); unset: mail.maildir. */
  maildirAttribute: z.optional(nonEmpty()),
  homeAttribute: z.optional(nonEmpty()),
});

export type PostgresqlSettings = z.infer<typeof postgresqlSchema>;
export type LdapSettings = z.infer<typeof ldapSchema>;
