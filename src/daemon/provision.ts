import type { Logger } from 'pino';
import type { PasswdFileDirectory } from '../auth/passwd-directory.js';
import type { Config } from '../config/schema.js';
import { ensureMaildir } from '../mail/ensure-maildir.js';
import { maildirFor } from '../mail/maildir-path.js';

/** Creates every user's missing Maildir (with the welcome message) when autocreate is on. */
export async function provisionMaildirs(config: Config, users: PasswdFileDirectory, logger: Logger): Promise<void> {
  if (!config.mail.autocreate) return;
  for (const user of await users.list()) {
    try {
      if (await ensureMaildir(maildirFor(config.mail.maildir, user), config.mail.welcome)) {
        logger.info({ event: 'maildir-created', user }, 'created Maildir');
      }
    } catch (error) {
      logger.warn({ event: 'maildir-create-failed', user, err: error }, 'cannot create Maildir');
    }
  }
}
