import { MaildropLockedError } from '../mail/maildrop.js';
import { MaildirStore } from '../mail/maildir.js';
import { maildirFor } from '../mail/maildir-path.js';
import { COMMON_OPTIONS, type Command } from './command.js';
import { findRecipient } from './deliver.js';
import { CliError, EX } from './exit-codes.js';
import { loadConfig, type Invocation } from './options.js';

export const uidl: Command = {
  name: 'uidl',
  summary: 'print what UIDL would answer for a user (to compare with the server pop3d replaces)',
  help: `Usage: pop3d uidl [options] USER

Prints one line per message, "<number> <uidl>", exactly as the POP3 UIDL command would answer USER now.
Compare it with what the old server
answers before switching the POP3 port over. The maildrop lock is held only while the Maildir is listed;
nothing is moved or flagged. With a mail.uidlFormat that needs UIDs (%u, %v), messages without a UID in
dovecot-uidlist get one, as the next login would give them.

Exit codes: 0 printed, 64 usage error, 67 unknown user, 75 the maildrop is locked or cannot be read
(try again), 78 config error.

${COMMON_OPTIONS}`,
  async run(invocation: Invocation) {
    const [user, ...extra] = invocation.args;
    if (user === undefined || extra.length > 0) throw new CliError('usage: pop3d uidl [options] USER', EX.USAGE);
    const config = loadConfig(invocation);
    const recipient = await findRecipient(config, user);
    const maildir = maildirFor(config.mail.maildir, recipient);
    const store = new MaildirStore({
      locate: async () => maildir,
      staleMs: config.mail.lockStaleSeconds * 1000,
      autocreate: false,
      uidlFormat: config.mail.uidlFormat,
      flagUpdates: false,
      logger: { warn: (fields, message) => void process.stderr.write(`pop3d: warning: ${message}\n`) },
    });
    let messages;
    try {
      messages = await store.preview(user);
    } catch (error) {
      const reason = error instanceof MaildropLockedError ? 'the maildrop is locked by a session' : String((error as Error).cause ?? error);
      throw new CliError(`cannot list the maildrop of ${user}: ${reason}`, EX.TEMPFAIL);
    }
    if (messages.length > 0) process.stdout.write(`${messages.map(({ number, uid }) => `${number} ${uid}`).join('\n')}\n`);
    return EX.OK;
  },
};
