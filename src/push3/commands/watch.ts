import { defineCommand } from '../command.js';
import { fail, success } from '../replies.js';
import type { EventFilter } from '../state.js';

const DEFAULT_SECONDS = 1;
const MAX_SECONDS = 3600;

/** `events` (everything) or `user=<name>` (that user's sessions); undefined for anything else. */
function parseFilter(text: string): EventFilter | undefined {
  if (text.toLowerCase() === 'events') return { kind: 'all' };
  const user = /^user=(.+)$/i.exec(text)?.[1];
  return user === undefined ? undefined : { kind: 'user', user };
}

/**
 * WATCH [seconds [filter]] (extension): a METRICS line every interval until UNWATCH or FINISH, and with a
 * filter the matching events as they happen; a new WATCH replaces both.
 */
export const watch = defineCommand({
  verb: 'WATCH',
  phases: ['transaction'],
  args: { min: 0, max: 2 },
  usage: 'WATCH [seconds [events|user=<name>]]',
  run: (state, [text, filterText], _context) => {
    const seconds = text === undefined ? DEFAULT_SECONDS : /^\d{1,4}$/.test(text) ? Number(text) : NaN;
    if (!(seconds >= 1 && seconds <= MAX_SECONDS)) {
      return { state, reply: fail(`WATCH interval must be a whole number of seconds from 1 to ${MAX_SECONDS}`) };
    }
    const watchEvents = filterText === undefined ? undefined : parseFilter(filterText);
    if (filterText !== undefined && watchEvents === undefined) {
      return { state, reply: fail('WATCH filter must be events or user=<name>') };
    }
    const what = watchEvents === undefined ? '' : watchEvents.kind === 'all' ? ', with every event' : `, with the events of ${watchEvents.user}`;
    return {
      state: { phase: 'transaction', user: state.user, grant: state.grant, watchMs: seconds * 1000, watchEvents },
      reply: success(`Watching every ${seconds} s${what}`),
    };
  },
});
