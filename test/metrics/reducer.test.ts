import { describe, expect, it } from 'vitest';
import { commandEntries } from '../../src/metrics/command-counts.js';
import { formatMetrics } from '../../src/metrics/catalogue.js';
import type { ServerEvent } from '../../src/events/server-events.js';
import { ratesOf } from '../../src/metrics/rate-window.js';
import type { MetricsInput } from '../../src/metrics/input.js';
import { applyEvent, emptyMetrics, type Metrics } from '../../src/metrics/reducer.js';
import { bytes, closed, command, opened } from '../support/events.js';

const fold = (inputs: MetricsInput[], startedAt = 0): Metrics => inputs.reduce(applyEvent, emptyMetrics(startedAt));

describe('metrics reducer', () => {
  it('starts at zero', () => {
    const m = emptyMetrics(5000);
    expect(m.connections).toEqual({ pop3: { current: 0, total: 0 }, push3: { current: 0, total: 0 } });
    expect(m.now).toBe(5000);
    expect(ratesOf(m.window)).toEqual({ connectionsPerSecond: 0, bytesPerSecond: 0 });
  });

  it('counts connections per protocol, current and total, never below zero', () => {
    const m = fold([opened(1), opened(2), opened(3, 'push3'), closed(4), closed(5, 'push3'), closed(6, 'push3')]);
    expect(m.connections).toEqual({ pop3: { current: 1, total: 2 }, push3: { current: 0, total: 1 } });
  });

  it('counts logins, commands by POP3 verb, messages, bytes, errors, timeouts and refused locks', () => {
    const events: ServerEvent[] = [
      { type: 'auth', protocol: 'pop3', connection: 'c', user: 'a', ok: true, at: 1 },
      { type: 'auth', protocol: 'pop3', connection: 'c', user: 'a', ok: false, at: 1 },
      { type: 'auth', protocol: 'push3', connection: 'c', user: 'a', ok: false, at: 1 },
      command(2, 'RETR'),
      command(2, 'RETR'),
      command(2, 'STAT'),
      command(2, 'METRICS', 'push3'),
      { type: 'message-retrieved', connection: 'c', user: 'a', octets: 10, at: 3 },
      { type: 'messages-deleted', connection: 'c', user: 'a', count: 4, at: 3 },
      bytes(4, 100, 'out'),
      bytes(4, 7, 'in'),
      bytes(4, 999, 'out', 'push3'),
      { type: 'error', protocol: 'push3', connection: 'c', message: 'x', at: 5 },
      { type: 'timeout', protocol: 'pop3', connection: 'c', at: 5 },
      { type: 'lock-refused', connection: 'c', user: 'a', at: 5 },
      { type: 'admin-change', connection: 'c', user: 'root', change: 'user-added', target: 'bob', at: 5 },
    ];
    const m = fold(events);
    expect(m.logins).toEqual({ pop3: { ok: 1, failed: 1 }, push3: { ok: 0, failed: 1 } });
    expect(Object.fromEntries(commandEntries(m.commands))).toEqual({ RETR: 2, STAT: 1 });
    expect([m.messagesRetrieved, m.messagesDeleted]).toEqual([1, 4]);
    expect([m.bytesSent, m.bytesReceived]).toEqual([100, 7]);
    expect([m.errors, m.timeouts, m.locksRefused]).toEqual([1, 1, 1]);
  });

  it('is pure: the input state is unchanged', () => {
    const before = emptyMetrics(0);
    const snapshot = JSON.stringify(before);
    applyEvent(before, opened(1));
    applyEvent(before, bytes(1, 5));
    expect(JSON.stringify(before)).toBe(snapshot);
  });

  it('computes rates over the last minute and lets them decay with clock ticks', () => {
    // 30 connections and 6000 octets in the first 30 seconds.
    const burst = Array.from({ length: 30 }, (_, i) => [opened(i * 1000), bytes(i * 1000, 200)]).flat();
    const m = fold(burst);
    expect(ratesOf(m.window)).toEqual({ connectionsPerSecond: 0.5, bytesPerSecond: 100 });
    // At 59.999 s the first second (0) is still inside the window; at 60 s it has left.
    expect(ratesOf(applyEvent(m, { type: 'tick', at: 59_999 }).window).connectionsPerSecond).toBe(0.5);
    expect(ratesOf(applyEvent(m, { type: 'tick', at: 60_000 }).window).connectionsPerSecond).toBeCloseTo(29 / 60);
    expect(ratesOf(applyEvent(m, { type: 'tick', at: 89_000 }).window)).toEqual({ connectionsPerSecond: 0, bytesPerSecond: 0 });
  });

  it('keeps uptime from the latest time seen, and ignores an event stamped in the past for time', () => {
    const m = fold([opened(1000), { type: 'tick', at: 61_500 }, opened(2000)], 1000);
    expect(m.now).toBe(61_500);
    expect(formatMetrics(m)).toContain('uptime_seconds=60 ');
    // The late event counts in the newest bucket rather than being lost.
    expect(ratesOf(m.window).connectionsPerSecond).toBeCloseTo(1 / 60);
  });

  it('formats a stable line of snake_case key=value pairs, verbs last', () => {
    const line = formatMetrics(fold([opened(0), command(0, 'STAT'), command(0, 'LIST'), bytes(0, 30)]));
    expect(line).toMatch(/^([a-z0-9_]+=[0-9.]+)( [a-z0-9_]+=[0-9.]+)*$/);
    expect(line.split(' ').map((pair) => pair.split('=')[0])).toEqual([
      'uptime_seconds',
      'pop3_connections_current',
      'pop3_connections_total',
      'push3_connections_current',
      'push3_connections_total',
      'pop3_logins_ok',
      'pop3_logins_failed',
      'push3_logins_ok',
      'push3_logins_failed',
      'messages_retrieved',
      'messages_deleted',
      'pop3_bytes_sent',
      'pop3_bytes_received',
      'errors',
      'timeouts',
      'locks_refused',
      'pop3_connections_per_second',
      'pop3_bytes_per_second',
      'pop3_commands_total',
      'worker_exits',
      'directory_lookups',
      'directory_cache_hits',
      'directory_failures',
      'directory_lookup_seconds',
      'login_failures_worst_address',
      'login_failure_addresses',
      'pop3_commands_list',
      'pop3_commands_stat',
    ]);
    expect(line).toContain('pop3_connections_per_second=0.017 pop3_bytes_per_second=0.5 pop3_commands_total=2');
  });
});
