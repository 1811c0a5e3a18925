import { argumentSpec, Invalid } from '../../session/arguments.js';
import { defineCommand } from '../command.js';
import { success } from '../replies.js';
import type { EventFilter } from '../state.js';

const DEFAULT_SECONDS = 1;
const MAX_SECONDS = 3600;

/** `events` (everything) or `user=<name>` (that user's sessions); undefined for anything else. */
function parseFilter(text: string): EventFilter | undefined {
  if (text.toLowerCase() === 'events') return { kind: 'all' };
  const user = /^user=(.+)$/i.exec(text)?.[1];
  return user === undefined ? undefined : { kind: 'user', user };
}

/** `[seconds [filter]]`: an interval from 1 s to an hour, and optionally which events to stream. */
const watchArguments = argumentSpec(0, 2, ([text, filterText]): WatchArguments | Invalid => {
  const seconds = text === undefined ? DEFAULT_SECONDS : /^\d{1,4}$/.test(text) ? Number(text) : NaN;
  if (!(seconds >= 1 && seconds <= MAX_SECONDS)) {
    return new Invalid(`WATCH interval must be a whole number of seconds from 1 to ${MAX_SECONDS}`);
  }
  const events = filterText === undefined ? undefined : parseFilter(filterText);
  if (filterText !== undefined && events === undefined) return new Invalid('WATCH filter must be events or user=<name>');
  return { seconds, events };
});

interface WatchArguments {
  readonly seconds: number;
  readonly events?: EventFilter;
}

/**
 * WATCH [seconds [filter]] (extension): a METRICS line every interval until UNWATCH or FINISH, and with a
 * filter the matching events as they happen; a new WATCH replaces both.
 */
export const watch = defineCommand({
  verb: 'WATCH',
  phases: ['transaction'],
  args: watchArguments,
  usage: 'WATCH [seconds [events|user=<name>]]',
  run: (state, { seconds, events: watchEvents }) => {
    const what = watchEvents === undefined ? '' : watchEvents.kind === 'all' ? ', with every event' : `, with the events of ${watchEvents.user}`;
    return {
      state: { phase: 'transaction', user: state.user, grant: state.grant, watchMs: seconds * 1000, watchEvents },
      reply: success(`Watching every ${seconds} s${what}`),
    };
  },
});
