import type { Logger } from 'pino';
import { type Observable, type Subscription } from 'rxjs';
import type { ServerEvent } from '../metrics/events.js';

interface Peer {
  readonly remote: string;
  user?: string;
}

/**
 * The audit log is a subscriber of the event stream: one JSON line per event, with the connection's
 * remote address and user attached. Events never carry passwords, so none can reach the log. At info:
 * connections, logins, deletions, timeouts, kicks, admin changes and commands; each POP3 command and latency at debug; byte counts at trace.
 */
/** The level of each kind of event's line; the rest are info. */
const LEVELS: Partial<Record<ServerEvent['type'], 'trace' | 'debug' | 'warn' | 'error'>> = {
  bytes: 'trace',
  command: 'debug',
  latency: 'debug',
  error: 'warn',
  'admin-revoked': 'warn',
  'directory-lookup': 'debug',
  'directory-failed': 'error',
};

export function logEvents(events$: Observable<ServerEvent>, logger: Logger): Subscription {
  const peers = new Map<string, Peer>();
  return events$.subscribe((event) => {
    if (event.type === 'connection-opened') peers.set(event.connection, { remote: event.remote });
    const peer = 'connection' in event ? peers.get(event.connection) : undefined;
    if (event.type === 'auth' && event.ok && peer) peer.user = event.user;
    const level = LEVELS[event.type] ?? 'info';
    // Several bytes and command events per session: no line is built that nobody will see (the level can change live).
    if (logger.isLevelEnabled(level)) {
      const { type, at: _at, ...fields } = event;
      logger[level]({ event: type, remote: peer?.remote, user: peer?.user, ...fields });
    }
    if (event.type === 'connection-closed') peers.delete(event.connection);
  });
}
