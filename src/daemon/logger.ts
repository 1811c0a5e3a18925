import { pino, type Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { reportDroppedLines } from './log-drops.js';
import { flushWhilePending } from './log-flush.js';

export const IMPLEMENTATION = 'pop3d';

/**
 * Gathered lines are written once they reach this many octets, else at the next tick of a `log.flushMs`
 * interval (flushWhilePending). Below sonic-boom's maxWrite (16 KiB), as it requires.
 */
const GATHER_OCTETS = 4096;
/**
 * Lines held while stdout does not take them (a stalled journal, a paused pager): past this many octets new
 * lines are dropped rather than held without bound, and counted in a `log-lines-dropped` line once stdout
 * takes lines again.
 */
const HOLD_OCTETS = 16 * 1024 * 1024;

/**
 * JSON lines on stdout; the level follows the running config (reload, Push3 SET). With `log.flushMs` > 0
 * (the default) lines are gathered and written together: a busy server logs a few lines per session, and a
 * system call per line costs more than the line. What is still gathered when the process exits is written
 * then, synchronously (pino registers that for an asynchronous destination); a SIGKILL loses at most
 * `flushMs` of lines. With 0, each line is written at once, synchronously.
 */
export function createLogger(config: Config): Logger {
  const { level, flushMs } = config.log;
  const options = { level, base: { service: IMPLEMENTATION } };
  if (flushMs === 0) return pino(options, pino.destination({ dest: 1, sync: true }));
  const stdout = pino.destination({ dest: 1, sync: false, minLength: GATHER_OCTETS, maxLength: HOLD_OCTETS });
  const { noteLine } = flushWhilePending(stdout, flushMs);
  const logger = pino({ ...options, hooks: { streamWrite: noteLine } }, stdout);
  reportDroppedLines(stdout, logger);
  return logger;
}
