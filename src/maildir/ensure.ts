import { createReadStream } from 'node:fs';
import { deliverToMaildir } from './deliver.js';
import { createMaildirDirs } from './layout.js';

/**
 * Makes `maildir` a complete Maildir. The welcome message goes only into a Maildir this call created, so
 * a user gets it once, however many sessions race to create the Maildir. True when it was created here.
 */
export async function ensureMaildir(maildir: string, welcomeFile?: string): Promise<boolean> {
  const created = await createMaildirDirs(maildir);
  if (created && welcomeFile !== undefined) await deliverToMaildir(maildir, createReadStream(welcomeFile));
  return created;
}
