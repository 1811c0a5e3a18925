import { Writable } from 'node:stream';
import pino from 'pino';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../src/events/server-events.js';
import { logEvents } from '../../src/hooks/event-log.js';

/** The log lines written for `events` at `level`, parsed. */
function linesFor(events: readonly ServerEvent[], level: pino.Level): Record<string, unknown>[] {
  const written: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level }, sink);
  const events$ = new Subject<ServerEvent>();
  const subscription = logEvents(events$, logger);
  for (const event of events) events$.next(event);
  subscription.unsubscribe();
  return written.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

const session: ServerEvent[] = [
  { type: 'connection-opened', protocol: 'pop3', connection: 'c1', remote: '192.0.2.7:40000', at: 1 },
  { type: 'auth', protocol: 'pop3', connection: 'c1', user: 'alice', ok: true, at: 2 },
  { type: 'message-retrieved', connection: 'c1', user: 'alice', octets: 100, at: 3 },
  { type: 'message-retrieved', connection: 'c1', user: 'alice', octets: 250, at: 4 },
  { type: 'messages-deleted', connection: 'c1', user: 'alice', count: 2, at: 5 },
  { type: 'connection-closed', protocol: 'pop3', connection: 'c1', ms: 9, at: 6 },
];

describe('the event log', () => {
  it('at info, sums up a POP3 session at its close instead of a line per message retrieved', () => {
    const lines = linesFor(session, 'info');
    expect(lines.map((line) => line['event'])).toEqual(['connection-opened', 'auth', 'messages-deleted', 'connection-closed']);
    expect(lines[3]).toMatchObject({ remote: '192.0.2.7:40000', user: 'alice', retrieved: 2, retrievedOctets: 350, deleted: 2, ms: 9 });
  });

  it('at debug, logs each message retrieved as well', () => {
    const retrieved = linesFor(session, 'debug').filter((line) => line['event'] === 'message-retrieved');
    expect(retrieved.map((line) => line['octets'])).toEqual([100, 250]);
  });

  it('adds no summary to a connection that never logged in', () => {
    const lines = linesFor(
      [
        { type: 'connection-opened', protocol: 'pop3', connection: 'c2', remote: '192.0.2.8:40000', at: 1 },
        { type: 'auth', protocol: 'pop3', connection: 'c2', user: 'bob', ok: false, at: 2 },
        { type: 'connection-closed', protocol: 'pop3', connection: 'c2', at: 3 },
      ],
      'info',
    );
    expect(lines[2]).toMatchObject({ event: 'connection-closed', remote: '192.0.2.8:40000' });
    expect(lines[2]).not.toHaveProperty('retrieved');
  });

  it('logs commands and latencies at debug and byte counts at trace, with the remote and user, and none at info', () => {
    const busy: ServerEvent[] = [
      ...session.slice(0, 2),
      { type: 'bytes', protocol: 'pop3', connection: 'c1', received: 6, sent: 20, at: 3 },
      { type: 'command', protocol: 'pop3', connection: 'c1', verb: 'STAT', ok: true, user: 'alice', at: 3 },
      { type: 'latency', connection: 'c1', operation: 'command', verb: 'STAT', user: 'alice', ms: 0.2, at: 3 },
      ...session.slice(2),
    ];
    const kinds = (level: pino.Level): unknown[] => linesFor(busy, level).map((line) => line['event']);
    expect(kinds('info')).toEqual(['connection-opened', 'auth', 'messages-deleted', 'connection-closed']);
    expect(kinds('debug')).toEqual(['connection-opened', 'auth', 'command', 'latency', 'message-retrieved', 'message-retrieved', 'messages-deleted', 'connection-closed']);
    const traced = linesFor(busy, 'trace');
    // One line per direction, as when each direction had its own event.
    expect(traced.slice(2, 4)).toEqual([
      expect.objectContaining({ event: 'bytes', remote: '192.0.2.7:40000', user: 'alice', protocol: 'pop3', connection: 'c1', direction: 'in', octets: 6 }),
      expect.objectContaining({ event: 'bytes', remote: '192.0.2.7:40000', user: 'alice', protocol: 'pop3', connection: 'c1', direction: 'out', octets: 20 }),
    ]);
    expect(traced.at(-1)).toMatchObject({ retrieved: 2, retrievedOctets: 350, deleted: 2 });
  });
});
