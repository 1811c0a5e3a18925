import { pino, type Logger } from 'pino';
import type { Config } from '../config/schema.js';

export const IMPLEMENTATION = 'pop3d';

/** JSON lines on stdout; the level follows the running config (reload, Push3 SET). */
export function createLogger(config: Config): Logger {
  return pino({ level: config.log.level, base: { service: IMPLEMENTATION } });
}
