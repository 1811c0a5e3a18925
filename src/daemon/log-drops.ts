import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';

/**
 * Lines a gathering destination dropped (stdout did not take them and its hold was full) are counted, and
 * the count is logged once it has caught up, so the log itself says where it has a gap. The destination is
 * sonic-boom: `drop` for each line refused, `drain` once what it held is written. Not on each `write`: its
 * hold may still be full then, and the count would be dropped in turn.
 */
export function reportDroppedLines(destination: EventEmitter, logger: Logger): void {
  let dropped = 0;
  destination.on('drop', () => {
    dropped += 1;
  });
  destination.on('drain', () => {
    if (dropped === 0) return;
    const lines = dropped;
    dropped = 0;
    logger.warn({ event: 'log-lines-dropped', lines }, 'log lines dropped: stdout did not take them in time');
  });
}
