import { defineCommand } from '../command.js';
import { fail, success } from '../replies.js';

const DEFAULT_SECONDS = 1;
const MAX_SECONDS = 3600;

/** WATCH [seconds] (extension): a METRICS line every interval until UNWATCH or FINISH; a new WATCH replaces it. */
export const watch = defineCommand({
  verb: 'WATCH',
  phases: ['transaction'],
  args: { min: 0, max: 1 },
  usage: 'WATCH [seconds]',
  run: (state, [text], _context) => {
    const seconds = text === undefined ? DEFAULT_SECONDS : /^\d{1,4}$/.test(text) ? Number(text) : NaN;
    if (!(seconds >= 1 && seconds <= MAX_SECONDS)) {
      return { state, reply: fail(`WATCH interval must be a whole number of seconds from 1 to ${MAX_SECONDS}`) };
    }
    return { state: { ...state, watchMs: seconds * 1000 }, reply: success(`Watching every ${seconds} s`) };
  },
});
