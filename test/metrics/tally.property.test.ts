import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../src/events/server-events.js';
import type { ForwardedEvent } from '../../src/metrics/input.js';
import type { Metrics } from '../../src/metrics/reducer.js';
import { SessionTable } from '../../src/metrics/session-table.js';
import { tallyBatch } from '../../src/metrics/tally.js';
import { foldEvents } from '../support/events.js';

const VERBS = ['USER', 'PASS', 'STAT', 'LIST', 'UIDL', 'RETR', 'DELE', 'NOOP', 'INVALID'];

type Step =
  | { readonly kind: 'command'; readonly verb: string; readonly ok: boolean; readonly ms: number }
  | { readonly kind: 'login'; readonly ms: number }
  | { readonly kind: 'bytes'; readonly received: number; readonly sent: number };

/** One step of a POP3 session, as the events it makes. */
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('command' as const), verb: fc.constantFrom(...VERBS), ok: fc.boolean(), ms: fc.double({ min: 0, max: 3000, noNaN: true }) }),
  fc.record({ kind: fc.constant('login' as const), ms: fc.double({ min: 0, max: 100, noNaN: true }) }),
  fc.record({ kind: fc.constant('bytes' as const), received: fc.nat(100), sent: fc.nat(20_000) }),
);

/** A session: opened, its steps, then a QUIT and a close, or neither (still open at the end). */
const session = fc.record({ steps: fc.array(step, { maxLength: 12 }), ends: fc.boolean() });

function eventsOf(connection: string, { steps, ends }: { readonly steps: readonly Step[]; readonly ends: boolean }): ServerEvent[] {
  const events: ServerEvent[] = [{ type: 'connection-opened', protocol: 'pop3', connection, remote: '192.0.2.1:1', at: 0 }];
  for (const s of steps) {
    if (s.kind === 'command') {
      events.push({ type: 'command', protocol: 'pop3', connection, verb: s.verb, ok: s.ok, at: 0 });
      if (s.verb === 'RETR' && s.ok) events.push({ type: 'message-retrieved', connection, user: 'u', octets: 10, at: 0 });
      events.push({ type: 'latency', connection, operation: 'command', verb: s.verb, ms: s.ms, at: 0 });
    } else if (s.kind === 'login') {
      events.push({ type: 'latency', connection, operation: 'login-verification', user: 'u', ms: s.ms, at: 0 });
      events.push({ type: 'auth', protocol: 'pop3', connection, user: 'u', ok: true, at: 0 });
    } else {
      events.push({ type: 'bytes', protocol: 'pop3', connection, received: s.received, sent: s.sent, at: 0 });
    }
  }
  if (ends) {
    events.push({ type: 'command', protocol: 'pop3', connection, verb: 'QUIT', ok: true, at: 0 });
    events.push({ type: 'connection-closed', protocol: 'pop3', connection, ms: 40, at: 0 });
  }
  return events;
}

/** Sessions interleaved as `order` picks, each in its own order, stamped anew `stepMs` apart. */
function interleave(sessions: ServerEvent[][], order: number[], stepMs: number): ServerEvent[] {
  const queues = sessions.map((events) => [...events]);
  const out: ServerEvent[] = [];
  let pick = 0;
  while (queues.some((queue) => queue.length > 0)) {
    const live = queues.filter((queue) => queue.length > 0);
    const queue = live[(order[pick++ % Math.max(1, order.length)] ?? 0) % live.length]!;
    out.push({ ...queue.shift()!, at: 5000 + out.length * stepMs });
  }
  return out;
}

/** Histogram sums added in another order differ in the last bits: compared to nine digits. */
const rounded = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (_, v: unknown) => (typeof v === 'number' ? Number(v.toPrecision(9)) : v)));

const table = (inputs: readonly ForwardedEvent[]): unknown => {
  const sessions = new SessionTable();
  for (const input of inputs) sessions.apply(input);
  return sessions.list();
};

/** The events, batched at `cuts`, with each batch's tally after its events. */
function tallied(raw: readonly ServerEvent[], cuts: readonly number[]): ForwardedEvent[] {
  const bounds = [...new Set([0, ...cuts.map((cut) => Math.min(cut, raw.length)), raw.length])].sort((a, b) => a - b);
  return bounds.slice(1).flatMap((end, i): ForwardedEvent[] => {
    const { events, tally } = tallyBatch(raw.slice(bounds[i], end));
    return tally === undefined ? events : [...events, tally];
  });
}

const sessions = fc.array(session, { minLength: 1, maxLength: 4 });
const order = fc.array(fc.nat(7), { maxLength: 60 });
const cuts = fc.array(fc.nat(40), { maxLength: 8 });

describe('tallies (property)', () => {
  it('fold to the metrics and the live sessions of the events they stand for, however the events are batched', () => {
    fc.assert(
      fc.property(sessions, order, cuts, (drawn, picks, at) => {
        // Within one second: a tally's latencies count in the second of its last event (tally.ts).
        const raw = interleave(drawn.map((s, i) => eventsOf(`c${i}`, s)), picks, 0.01);
        const condensed = tallied(raw, at);
        expect(rounded(foldEvents(condensed))).toEqual(rounded(foldEvents(raw)));
        expect(table(condensed)).toEqual(table(raw));
      }),
      { numRuns: 300 },
    );
  });

  it('across seconds, differ from the events only in which second of the last minute a latency counts in', () => {
    fc.assert(
      fc.property(sessions, order, cuts, (drawn, picks, at) => {
        const raw = interleave(drawn.map((s, i) => eventsOf(`c${i}`, s)), picks, 370);
        const [expected, actual] = [foldEvents(raw), foldEvents(tallied(raw, at))];
        const apart = ({ latencies, ...rest }: Metrics) => ({ ...rest, latencyTotals: latencies.totals });
        expect(rounded(apart(actual))).toEqual(rounded(apart(expected)));
      }),
      { numRuns: 200 },
    );
  });
});
