import type { Readable } from 'node:stream';
import { PasswdFileDirectory } from '../auth/passwd-directory.js';
import { validateUserName } from '../auth/username.js';
import type { Config } from '../config/schema.js';
import { deliverToMaildir, EmptyMessageError } from '../maildir/deliver.js';
import { ensureMaildir } from '../maildir/ensure.js';
import { hasErrorCode } from '../process/errno.js';
import { maildirFor } from '../maildir/path.js';
import { COMMON_OPTIONS, type Command } from './command.js';
import { CliError, EX } from './exit-codes.js';
import { loadConfig, type Invocation } from './options.js';

/** 67 for a user the users file does not know; a users file that is not there is the config's fault (78). Shared by the commands that take a USER. */
export async function checkRecipient(config: Config, user: string): Promise<void> {
  const invalid = validateUserName(user);
  if (invalid !== undefined) throw new CliError(`unknown user ${JSON.stringify(user)}: the name ${invalid}`, EX.NOUSER);
  let users: PasswdFileDirectory;
  try {
    // Bad lines of the users file are the daemon's to report, not the sender's.
    users = await PasswdFileDirectory.load(config.users.file, () => undefined);
  } catch (error) {
    const missing = hasErrorCode((error as Error).cause, 'ENOENT');
    throw new CliError((error as Error).message, missing ? EX.CONFIG : EX.TEMPFAIL);
  }
  if (!(await users.exists(user))) throw new CliError(`unknown user ${user}: not in ${config.users.file}`, EX.NOUSER);
}

/**
 * An MTA that gives up on us (its timeout) sends SIGTERM. Failing the read makes deliverToMaildir remove its
 * tmp/ file, so nothing is left half-written; once the message is in new/, the signal changes nothing.
 */
function abortReadOnSignals(stdin: Readable): () => void {
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
  const abort = (signal: NodeJS.Signals): void => void stdin.destroy(new Error(`interrupted by ${signal}`));
  for (const signal of signals) process.on(signal, abort);
  return () => signals.forEach((signal) => process.off(signal, abort));
}

/** Empty input is no message (65); anything else that fails (disk full, I/O, permissions) may pass: retry (75). */
function deliveryFailure(user: string, error: unknown): CliError {
  const reason = (error as Error).message;
  if (error instanceof EmptyMessageError) return new CliError(`deliver to ${user}: ${reason}`, EX.DATAERR);
  return new CliError(`cannot deliver to ${user}, try again later: ${reason}`, EX.TEMPFAIL);
}

export const deliver: Command = {
  name: 'deliver',
  summary: 'deliver one message from stdin into a user\'s Maildir (for Postfix, Exim)',
  help: `Usage: pop3d deliver [options] USER

Reads one RFC 5322 message from stdin and delivers it into USER's Maildir (mail.maildir), creating the
Maildir when missing: written to tmp/, synced, renamed into new/. Nothing is printed on success.
Use it as Postfix's mailbox_command or an Exim pipe transport.

Exit codes (sysexits.h):
  0    delivered
  64   usage error
  65   the input is not a message (empty)
  67   unknown user: not in the users file
  75   temporary failure (disk full, I/O error, Maildir not writable, interrupted): the MTA retries later
  78   config error (invalid config, users file missing)
On failure one line on stderr names the cause, and nothing is left in new/.

${COMMON_OPTIONS}`,
  async run(invocation: Invocation) {
    const [user, ...extra] = invocation.args;
    if (user === undefined || extra.length > 0) throw new CliError('usage: pop3d deliver [options] USER', EX.USAGE);
    const config = loadConfig(invocation);
    await checkRecipient(config, user);
    const stopAborting = abortReadOnSignals(process.stdin);
    try {
      const maildir = maildirFor(config.mail.maildir, user);
      await ensureMaildir(maildir, config.mail.welcome);
      await deliverToMaildir(maildir, process.stdin);
    } catch (error) {
      throw deliveryFailure(user, error);
    } finally {
      stopAborting();
    }
    return EX.OK;
  },
};
