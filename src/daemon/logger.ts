import { pino, type Logger } from 'pino';
import type { Config } from '../config/schema.js';

export const IMPLEMENTATION = 'pop3d';

/** Lines are gathered up to this many octets before a write... */
const GATHER_OCTETS = 2048;
/**
 * ...and a write holds whole lines and at most PIPE_BUF octets, so that it is atomic on a pipe: the workers
 * of a cluster share the primary's stdout, and their lines must not tear each other.
 */
const WRITE_OCTETS = 4096;
/** ...or for at most this long. */
const GATHER_MS = 200;

/**
 * JSON lines on stdout; the level follows the running config (reload, Push3 SET). Lines are written
 * together, a few kilobytes or a fifth of a second at a time, off the event loop: one write per line cost a
 * hand-off to libuv's threads and back for each, a tenth of a busy session's CPU. What is gathered is
 * written at exit (pino flushes it synchronously then), so only a SIGKILL or a crash of Node itself loses it.
 */
export function createLogger(config: Config): Logger {
  const destination = pino.destination({ dest: 1, sync: false, minLength: GATHER_OCTETS, maxWrite: WRITE_OCTETS, periodicFlush: GATHER_MS });
  return pino({ level: config.log.level, base: { service: IMPLEMENTATION } }, destination);
}
