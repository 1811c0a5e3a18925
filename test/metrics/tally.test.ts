import { describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../src/events/server-events.js';
import { commandEntries } from '../../src/metrics/command-counts.js';
import { histogramNamed } from '../../src/metrics/named-histograms.js';
import { recentPercentiles } from '../../src/metrics/latency.js';
import { SessionTable } from '../../src/metrics/session-table.js';
import { tallyBatch } from '../../src/metrics/tally.js';
import type { ForwardedEvent } from '../../src/metrics/input.js';
import { exchange, foldEvents, loggedIn, opened } from '../support/events.js';

const pop3 = (at: number, connection: string, verb: string, ok = true): ServerEvent => ({ type: 'command', protocol: 'pop3', connection, verb, ok, at });
// Latencies of 2^-k seconds add up exactly in any order, so both folds' sums can be compared as they are.
const took = (at: number, connection: string, verb: string, ms: number): ServerEvent => ({ type: 'latency', connection, operation: 'command', verb, ms, at });
const fetched = (at: number, connection: string): ServerEvent => ({ type: 'message-retrieved', connection, user: 'alice', octets: 10, at });

/** Two sessions interleaved, one to its close, the other still open after QUIT's reply; in batches of a worker. */
const batches: ServerEvent[][] = [
  [opened(1000, 'pop3', 'a'), pop3(1001, 'a', 'USER'), took(1001, 'a', 'USER', 0.5), pop3(1002, 'a', 'PASS'), loggedIn(1003, 'a', 'alice')],
  [
    opened(1004, 'pop3', 'b'),
    { type: 'latency', connection: 'a', operation: 'login-verification', user: 'alice', ms: 125, at: 1004 },
    pop3(1005, 'a', 'RETR'),
    fetched(1005, 'a'),
    took(1005, 'a', 'RETR', 250),
    exchange(1006, 10, 600, 'pop3', 'a'),
    pop3(1007, 'b', 'CAPA'),
    pop3(1007, 'b', 'NOOP', false),
  ],
  [
    loggedIn(1008, 'b', 'bob'),
    pop3(1009, 'a', 'RETR'),
    fetched(1009, 'a'),
    took(1009, 'a', 'RETR', 500),
    pop3(1010, 'a', 'QUIT'),
    { type: 'connection-closed', protocol: 'pop3', connection: 'a', ms: 10, at: 1011 },
    pop3(1012, 'b', 'QUIT'),
    took(1012, 'b', 'QUIT', 0.25),
  ],
];

const tallied = (batch: readonly ServerEvent[]): ForwardedEvent[] => {
  const { events, tally } = tallyBatch(batch);
  return tally === undefined ? events : [...events, tally];
};
const table = (inputs: readonly ForwardedEvent[]): SessionTable => {
  const sessions = new SessionTable();
  for (const input of inputs) sessions.apply(input);
  return sessions;
};

describe('tallyBatch', () => {
  it("takes a batch's POP3 commands, retrievals and latencies out into sums, and leaves the rest in order", () => {
    const { events, tally } = tallyBatch(batches[1]!);
    expect(events.map((event) => event.type)).toEqual(['connection-opened', 'bytes']);
    expect(tally).toMatchObject({
      type: 'tally',
      at: 1007,
      commands: { RETR: 1, CAPA: 1, NOOP: 1 },
      latest: [
        ['a', 'RETR', true],
        ['b', 'NOOP', false],
      ],
      retrieved: 1,
    });
    expect(Object.keys(tally!.latencies).sort()).toEqual(['login_verification', 'retr']);
    expect(tally!.latencies['retr']).toMatchObject({ count: 1, sum: 0.25 });
  });

  it('gives no tally to a batch with nothing to tally, and keeps Push3 commands as they are', () => {
    const push3: ServerEvent = { type: 'command', protocol: 'push3', connection: 'p', verb: 'METRICS', ok: true, at: 1 };
    expect(tallyBatch([opened(0, 'push3', 'p'), push3])).toEqual({ events: [opened(0, 'push3', 'p'), push3] });
  });

  it('folds to the same metrics and the same live sessions as the events it stands for', () => {
    const raw = batches.flat();
    const condensed = batches.flatMap(tallied);
    expect(condensed.length).toBeLessThan(raw.length / 2);
    const [expected, actual] = [foldEvents(raw), foldEvents(condensed)];
    expect(actual).toEqual(expected);
    expect(Object.fromEntries(commandEntries(actual.commands))).toMatchObject({ USER: 1, PASS: 1, RETR: 2, QUIT: 2, CAPA: 1, NOOP: 1 });
    expect(actual.messagesRetrieved).toBe(2);
    expect(histogramNamed(actual.latencies.totals, 'retr')).toMatchObject({ count: 2, sum: 0.75 });
    expect(recentPercentiles(actual.latencies)).toEqual(recentPercentiles(expected.latencies));
    expect(table(condensed).list()).toEqual(table(raw).list());
    expect(table(condensed).list()).toEqual([
      expect.objectContaining({ connection: 'b', user: 'bob', state: 'update', command: 'QUIT' }),
    ]);
  });
});
