import type { Observable, Subscription } from 'rxjs';
import type { ServerEvent } from '../events/server-events.js';
import type { ForwardedEvent } from './input.js';

/**
 * Who is connected now, folded from the event stream: in a cluster the primary folds every worker's events,
 * so the table covers them all (about 50 ms behind). POP3 sessions only: Push3's are the admins themselves.
 */
export interface SessionRow {
  readonly connection: string;
  readonly protocol: 'pop3';
  /** `address:port` of the client (the PROXY header's, behind a balancer). */
  readonly remote: string;
  /** Set once logged in. */
  readonly user?: string;
  readonly state: 'authorization' | 'transaction' | 'update';
  /** When the connection was accepted (ms since the epoch). */
  readonly since: number;
  readonly bytesOut: number;
  /** The verb of the latest command (the one being answered, if any is). */
  readonly command?: string;
}

/** The session with some fields changed; every field named rather than spread (see copyOf in reducer.ts). */
const changed = (s: SessionRow, change: Partial<Pick<SessionRow, 'user' | 'state' | 'bytesOut' | 'command'>>): SessionRow => ({
  connection: s.connection,
  protocol: s.protocol,
  remote: s.remote,
  user: 'user' in change ? change.user : s.user,
  state: change.state ?? s.state,
  since: s.since,
  bytesOut: change.bytesOut ?? s.bytesOut,
  command: 'command' in change ? change.command : s.command,
});

/**
 * Pure: one session after one event about its connection; undefined once it is closed, or kicked (its socket
 * may linger a few seconds for a peer that does not close, and must neither be listed nor kicked again).
 */
export function applySessionEvent(session: SessionRow | undefined, event: ServerEvent): SessionRow | undefined {
  if (event.type === 'connection-opened') {
    return event.protocol === 'pop3'
      ? { connection: event.connection, protocol: 'pop3', remote: event.remote, user: undefined, state: 'authorization', since: event.at, bytesOut: 0, command: undefined }
      : undefined;
  }
  if (session === undefined || event.type === 'connection-closed' || event.type === 'kicked') return undefined;
  switch (event.type) {
    case 'auth':
      return event.ok ? changed(session, { user: event.user, state: 'transaction' }) : session;
    case 'command': {
      const quitting = event.verb === 'QUIT' && event.ok && session.state === 'transaction';
      return changed(session, { command: event.verb, state: quitting ? 'update' : session.state });
    }
    case 'bytes':
      return event.sent > 0 ? changed(session, { bytesOut: session.bytesOut + event.sent }) : session;
    default:
      return session;
  }
}

/**
 * The table: the one mutable part is the map from connection to its entry, replaced entry by entry with
 * `applySessionEvent`, so that a busy server does not copy thousands of entries per event.
 */
export class SessionTable {
  readonly #sessions = new Map<string, SessionRow>();

  apply(event: ForwardedEvent): void {
    if (event.type === 'tally') {
      // The latest command is all the table shows of a connection's commands (a QUIT is always the last).
      for (const [connection, verb, ok] of event.latest) this.apply({ type: 'command', protocol: 'pop3', connection, verb, ok, at: event.at });
      return;
    }
    if (!('connection' in event)) return;
    const session = this.#sessions.get(event.connection);
    const next = applySessionEvent(session, event);
    // Most events (latencies, messages retrieved) leave the entry as it was.
    if (next === session) return;
    if (next === undefined) this.#sessions.delete(event.connection);
    else this.#sessions.set(event.connection, next);
  }

  /** Sessions, oldest first; with `user`, only that user's. */
  list(user?: string): SessionRow[] {
    const all = [...this.#sessions.values()];
    return user === undefined ? all : all.filter((session) => session.user === user);
  }

  /** The sessions a KICK target names: the connection with that id, or every session of that user. */
  matching(target: string): SessionRow[] {
    const byId = this.#sessions.get(target);
    return byId !== undefined ? [byId] : this.list(target);
  }

  follow(events$: Observable<ForwardedEvent>): Subscription {
    return events$.subscribe((event) => this.apply(event));
  }
}
