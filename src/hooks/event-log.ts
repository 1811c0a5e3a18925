import type { Logger } from 'pino';
import { type Observable, type Subscription } from 'rxjs';
import type { ServerEvent } from '../events/server-events.js';

/** What the log remembers of an open connection, for the lines that follow and its closing summary. */
interface Peer {
  readonly remote: string;
  user?: string;
  retrieved: number;
  retrievedOctets: number;
  deleted: number;
}

/**
 * The audit log is a subscriber of the event stream: one JSON line per event, with the connection's
 * remote address and user attached. Events never carry passwords, so none can reach the log. At info:
 * connections, logins, deletions, timeouts, kicks and admin changes, and at a POP3 connection's close what
 * it retrieved and deleted (as Dovecot's logout line does); each message retrieved, each command and
 * latency at debug; byte counts at trace.
 */
/** The level of each kind of event's line; the rest are info. */
const LEVELS: Partial<Record<ServerEvent['type'], 'trace' | 'debug' | 'warn' | 'error'>> = {
  bytes: 'trace',
  command: 'debug',
  latency: 'debug',
  // Twenty lines for a session that downloads twenty messages would be most of an info log; the close sums them.
  'message-retrieved': 'debug',
  error: 'warn',
  'admin-revoked': 'warn',
  'directory-lookup': 'debug',
  'directory-failed': 'error',
};

/** Events that change nothing the log remembers of a connection: below the level, nothing is done for them. */
const UNFOLLOWED: ReadonlySet<ServerEvent['type']> = new Set(['bytes', 'command', 'latency', 'directory-lookup']);

/** The closing summary of a POP3 connection that logged in; nothing for one that did not. */
function summaryOf(peer: Peer | undefined): Record<string, number> | undefined {
  if (peer?.user === undefined) return undefined;
  return { retrieved: peer.retrieved, retrievedOctets: peer.retrievedOctets, deleted: peer.deleted };
}

/** Counts what the connection's closing line will sum up. */
function follow(peer: Peer | undefined, event: ServerEvent): void {
  if (peer === undefined) return;
  if (event.type === 'auth' && event.ok) peer.user = event.user;
  else if (event.type === 'message-retrieved') {
    peer.retrieved += 1;
    peer.retrievedOctets += event.octets;
  } else if (event.type === 'messages-deleted') peer.deleted += event.count;
}

/**
 * A `bytes` event counts an exchange both ways; its lines stay one per direction, with `direction` and
 * `octets`: received when there were any, sent unless the event only reports what came in at the end.
 */
function logBytes(logger: Logger, event: Extract<ServerEvent, { type: 'bytes' }>, peer: Peer | undefined): void {
  const { protocol, connection, received, sent } = event;
  const line = { event: 'bytes', remote: peer?.remote, user: peer?.user, protocol, connection };
  if (received > 0) logger.trace({ ...line, direction: 'in', octets: received });
  if (sent > 0 || received === 0) logger.trace({ ...line, direction: 'out', octets: sent });
}

export function logEvents(events$: Observable<ServerEvent>, logger: Logger): Subscription {
  const peers = new Map<string, Peer>();
  return events$.subscribe((event) => {
    const level = LEVELS[event.type] ?? 'info';
    // Most of a session's events (bytes, commands, latencies) end here at the usual levels.
    if (UNFOLLOWED.has(event.type) && !logger.isLevelEnabled(level)) return;
    if (event.type === 'connection-opened') peers.set(event.connection, { remote: event.remote, retrieved: 0, retrievedOctets: 0, deleted: 0 });
    const peer = 'connection' in event ? peers.get(event.connection) : undefined;
    follow(peer, event);
    // Several bytes and command events per session: no line is built that nobody will see (the level can change live).
    if (event.type === 'bytes') {
      if (logger.isLevelEnabled(level)) logBytes(logger, event, peer);
    } else if (logger.isLevelEnabled(level)) {
      const { type, at: _at, ...fields } = event;
      const summary = event.type === 'connection-closed' && event.protocol === 'pop3' ? summaryOf(peer) : undefined;
      logger[level]({ event: type, remote: peer?.remote, user: peer?.user, ...fields, ...summary });
    }
    if (event.type === 'connection-closed') peers.delete(event.connection);
  });
}
