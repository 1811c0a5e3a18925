import { defer, from, map } from 'rxjs';
import { noArguments } from '../../session/arguments.js';
import { defineCommand } from '../command.js';
import { timedUntilAnswer } from '../latency.js';
import { err, messageCount, ok } from '../replies.js';

/** QUIT: in AUTHORIZATION just close; in TRANSACTION enter UPDATE, whose reply commits the deletions. */
export const quit = defineCommand({
  verb: 'QUIT',
  phases: ['authorization', 'transaction'],
  args: noArguments,
  run: (state, _args, context) => {
    if (state.phase === 'authorization') return { state: { phase: 'closed' }, reply: ok('Bye') };
    const { user, maildrop, deleted } = state;
    // Deferred: pipelined RETRs before QUIT open their files only when their replies' turn comes, so
    // the commit must wait for its own turn, or it would delete what they have yet to send.
    const wire$ = defer(() => from(maildrop.commit(deleted)).pipe(timedUntilAnswer(context, 'update', user))).pipe(
      map((result) => {
        if (result.removed > 0) {
          context.emit({ type: 'messages-deleted', connection: context.connection.id, user, count: result.removed, at: context.scheduler.now() });
        }
        const reply =
          result.failed > 0
            ? err(`Some deleted messages were not removed (${result.failed})`, 'SYS/TEMP')
            : ok(`Bye: ${messageCount(result.removed)} deleted`);
        return reply.wire;
      }),
    );
    return { state: { phase: 'update', user, maildrop }, reply: { ok: true, wire$ } };
  },
});
