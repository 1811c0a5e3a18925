import { z } from 'zod';

const port = z.int().min(0).max(65535);
const host = z.string().min(1);
const seconds = z.number().positive();

/** Every key the daemon reads, with its default. Unknown keys are an error, so typos never pass silently. */
export const configSchema = z.strictObject({
  pop3: z
    .strictObject({
      host: host.default('127.0.0.1'),
      port: port.default(1110),
      /** RFC 1939 autologout: at least 10 minutes of silence. */
      idleTimeout: seconds.default(600),
    })
    .prefault({}),
  mail: z
    .strictObject({
      /** Path of a user's Maildir; `%u` is replaced by the (validated) user name. */
      maildir: z.string().includes('%u', { message: 'must contain %u' }).default('mail/%u/Maildir'),
      /** Create a missing Maildir (cur/new/tmp) at start and at login. */
      autocreate: z.boolean().default(false),
      /** A message file delivered into every Maildir that the daemon creates. */
      welcome: z.string().optional(),
      /** A lock not refreshed for this long belongs to a dead process and may be taken over. */
      lockStaleSeconds: z.number().min(2).default(30),
    })
    .prefault({}),
  users: z
    .strictObject({
      /** Dovecot passwd-file: `name:{SCHEME}secret[:...]`. */
      file: z.string().default('users.passwd'),
    })
    .prefault({}),
  push3: z
    .strictObject({
      enabled: z.boolean().default(true),
      host: host.default('127.0.0.1'),
      port: port.default(2254),
      /** Users of the users file who may LOGIN to Push3. */
      admins: z.array(z.string()).default([]),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .prefault({}),
  shutdown: z
    .strictObject({
      /** On SIGTERM, sessions get this long to finish before they are closed. */
      graceSeconds: z.number().min(0).default(10),
    })
    .prefault({}),
});

export type Config = z.infer<typeof configSchema>;
