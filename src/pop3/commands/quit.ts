import { concat, from, map, of } from 'rxjs';
import { defineCommand, type Transition } from '../command.js';
import { err, ok } from '../replies.js';

/** QUIT: in AUTHORIZATION just close; in TRANSACTION enter UPDATE and commit the deletions. */
export const quit = defineCommand({
  verb: 'QUIT',
  phases: ['authorization', 'transaction'],
  args: { min: 0, max: 0 },
  run: (state, _input, context) => {
    if (state.phase === 'authorization') return { state: { phase: 'closed' }, reply: ok('Bye') };
    const { user, maildrop, deleted } = state;
    // Two transitions: UPDATE first, so that a client vanishing mid-commit leaves the lock to the
    // commit (which releases it), then CLOSED once the deletions are on disk.
    return concat(
      of<Transition>({ state: { phase: 'update', user }, reply: { ok: true, out$: of() } }),
      from(maildrop.commit(deleted)).pipe(
        map((result): Transition => {
          if (result.removed > 0) {
            context.emit({
              type: 'messages-deleted',
              connection: context.connection.id,
              user,
              count: result.removed,
              at: context.scheduler.now(),
            });
          }
          return {
            state: { phase: 'closed' },
            reply:
              result.failed > 0
                ? err(`Some deleted messages were not removed (${result.failed})`, 'SYS/TEMP')
                : ok(`Bye: ${result.removed} messages deleted`),
          };
        }),
      ),
    );
  },
});
