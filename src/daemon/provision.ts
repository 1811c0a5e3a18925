import type { Logger } from 'pino';
import type { Directory } from '../auth/directory.js';
import type { Config } from '../config/schema.js';
import { ensureMaildir } from '../maildir/ensure.js';
import { maildirFor } from '../maildir/path.js';

/** Creates every listed user's missing Maildir (with the welcome message) when autocreate is on. */
export async function provisionMaildirs(config: Config, users: Directory, logger: Logger): Promise<void> {
  if (!config.mail.autocreate) return;
  let names: readonly string[];
  try {
    names = await users.list();
  } catch (error) {
    // A source without a list (no listQuery) or that is down: Maildirs are still created at login.
    return logger.warn({ event: 'maildir-provision-skipped', reason: (error as Error).message }, 'cannot list users to create their Maildirs');
  }
  for (const user of names) {
    try {
      const record = await users.lookup(user);
      if (record !== undefined && (await ensureMaildir(maildirFor(config.mail.maildir, record), config.mail.welcome))) {
        logger.info({ event: 'maildir-created', user }, 'created Maildir');
      }
    } catch (error) {
      logger.warn({ event: 'maildir-create-failed', user, err: error }, 'cannot create Maildir');
    }
  }
}
