import type { Protocol, ServerEvent } from '../../src/events/server-events.js';
import type { MetricsInput } from '../../src/metrics/input.js';
import { applyEvent, emptyMetrics, type Metrics } from '../../src/metrics/reducer.js';

/** Small builders for event marbles and reducer tests. */
export const opened = (at: number, protocol: Protocol = 'pop3', connection = `c${at}`, remote = '127.0.0.1:1'): ServerEvent => ({
  type: 'connection-opened',
  protocol,
  connection,
  remote,
  at,
});
export const loginFailed = (at: number, address: string | undefined, protocol: Protocol = 'pop3', connection = 'c'): ServerEvent => ({
  type: 'auth',
  protocol,
  connection,
  user: 'mallory',
  ok: false,
  address,
  at,
});
export const closed = (at: number, protocol: Protocol = 'pop3', connection = `c${at}`): ServerEvent => ({
  type: 'connection-closed',
  protocol,
  connection,
  at,
});
/** A `bytes` event that counts octets one way (`exchange` for both). */
export const bytes = (at: number, octets: number, direction: 'in' | 'out' = 'out', protocol: Protocol = 'pop3', connection = 'c'): ServerEvent =>
  direction === 'in' ? exchange(at, octets, 0, protocol, connection) : exchange(at, 0, octets, protocol, connection);
export const exchange = (at: number, received: number, sent: number, protocol: Protocol = 'pop3', connection = 'c'): ServerEvent => ({
  type: 'bytes',
  protocol,
  connection,
  received,
  sent,
  at,
});
export const command = (at: number, verb: string, protocol: Protocol = 'pop3'): ServerEvent => ({
  type: 'command',
  protocol,
  connection: 'c',
  verb,
  ok: true,
  at,
});
export const latency = (at: number, verb: string, ms: number, connection = 'c'): ServerEvent => ({
  type: 'latency',
  connection,
  operation: 'command',
  verb,
  ms,
  at,
});
export const loggedIn = (at: number, connection: string, user: string): ServerEvent => ({ type: 'auth', protocol: 'pop3', connection, user, ok: true, at });
export const retrieved = (at: number, connection: string, user: string): ServerEvent => ({
  type: 'command',
  protocol: 'pop3',
  connection,
  verb: 'RETR',
  ok: true,
  user,
  at,
});

/** The metrics a sequence of events folds to, from an empty start. */
export const foldEvents = (events: readonly MetricsInput[]): Metrics => events.reduce(applyEvent, emptyMetrics(0));
