import type { Readable } from 'node:stream';
import { openDirectory } from '../auth/open-directory.js';
import { validateUserName } from '../auth/username.js';
import { DirectoryUnavailableError, type UserRecord } from '../auth/users.js';
import type { Config } from '../config/schema.js';
import { deliverToMaildir, EmptyMessageError } from '../mail/deliver.js';
import { ensureMaildir } from '../mail/ensure-maildir.js';
import { hasErrorCode } from '../mail/errno.js';
import { maildirFor } from '../mail/maildir-path.js';
import { COMMON_OPTIONS, type Command } from './command.js';
import { CliError, EX } from './exit-codes.js';
import { loadConfig, type Invocation } from './options.js';

/**
 * The recipient's record: 67 for a user the directory does not know; a users file that is not there is the
 * config's fault (78); a database or LDAP server that cannot answer is temporary (75), so the MTA retries.
 * Shared by the commands that take a USER.
 */
export async function findRecipient(config: Config, user: string): Promise<UserRecord> {
  const invalid = validateUserName(user);
  if (invalid !== undefined) throw new CliError(`unknown user ${JSON.stringify(user)}: the name ${invalid}`, EX.NOUSER);
  let users: Awaited<ReturnType<typeof openDirectory>>;
  try {
    // Bad lines of the users file are the daemon's to report, not the sender's.
    users = await openDirectory(config, { log: () => undefined });
  } catch (error) {
    const missing = hasErrorCode((error as Error).cause, 'ENOENT');
    throw new CliError((error as Error).message, missing ? EX.CONFIG : EX.TEMPFAIL);
  }
  try {
    const record = await users.lookup(user);
    const where = config.users.source === 'passwd-file' ? config.users.file : `the ${config.users.source} user source`;
    if (record === undefined) throw new CliError(`unknown user ${user}: not in ${where}`, EX.NOUSER);
    return record;
  } catch (error) {
    if (error instanceof DirectoryUnavailableError) throw new CliError(`cannot look up ${user}, try again later: ${error.message}`, EX.TEMPFAIL);
    throw error;
  } finally {
    await users.close();
  }
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
  67   unknown user: not in the users file (or database, or LDAP directory: users.source)
  75   temporary failure (disk full, I/O error, Maildir not writable, interrupted, the user database or
       directory unreachable): the MTA retries later
  78   config error (invalid config, users file missing)
On failure one line on stderr names the cause, and nothing is left in new/.

${COMMON_OPTIONS}`,
  async run(invocation: Invocation) {
    const [user, ...extra] = invocation.args;
    if (user === undefined || extra.length > 0) throw new CliError('usage: pop3d deliver [options] USER', EX.USAGE);
    const config = loadConfig(invocation);
    const recipient = await findRecipient(config, user);
    const stopAborting = abortReadOnSignals(process.stdin);
    try {
      const maildir = maildirFor(config.mail.maildir, recipient);
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
