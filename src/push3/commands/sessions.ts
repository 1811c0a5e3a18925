import type { SessionRow } from '../../metrics/session-table.js';
import { optionalWord } from '../../session/arguments.js';
import { defineCommand } from '../command.js';
import { success } from '../replies.js';

/** `1 session`, `2 sessions`. */
export const sessionCount = (n: number): string => `${n} session${n === 1 ? '' : 's'}`;

/** One session as `key=value` pairs; `-` for what is not known yet (user before login, command before one). */
export function describeSession(session: SessionRow): string {
  return [
    `connection=${session.connection}`,
    `user=${session.user ?? '-'}`,
    `remote=${session.remote}`,
    `protocol=${session.protocol}`,
    `state=${session.state}`,
    `since=${new Date(session.since).toISOString()}`,
    `bytes_out=${session.bytesOut}`,
    `command=${session.command ?? '-'}`,
  ].join(' ');
}

/**
 * SESSIONS [user] (extension): one `->SUCCESS: session ...` line per live POP3 session (of every worker),
 * then the reply line with the count. All are written as one chunk, so WATCH lines never come in between.
 */
export const sessions = defineCommand({
  verb: 'SESSIONS',
  phases: ['transaction'],
  args: optionalWord,
  usage: 'SESSIONS [user]',
  run: (state, user, context) => {
    const listed = context.sessions.list(user);
    context.emit({
      type: 'admin-command',
      connection: context.connection.id,
      user: state.user,
      verb: 'SESSIONS',
      target: user ?? '*',
      at: context.scheduler.now(),
    });
    const lines = listed.map((session) => success(`session ${describeSession(session)}`).line).join('');
    const last = success(sessionCount(listed.length));
    return { state, reply: { ok: true, line: lines + last.line } };
  },
});
