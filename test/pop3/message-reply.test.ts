import { Readable } from 'node:stream';
import { asyncScheduler, BehaviorSubject, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../src/events/server-events.js';
import type { Maildrop } from '../../src/maildrop/maildrop.js';
import type { SessionContext } from '../../src/pop3/context.js';
import { messageReply } from '../../src/pop3/message-reply.js';
import type { Transaction } from '../../src/pop3/state.js';
import { headerAndLines } from '../../src/pop3/wire-body.js';

const STORED = 'Subject: hi\n\n.dot\nbody\n';
const WIRE = 'Subject: hi\r\n\r\n..dot\r\nbody\r\n.\r\n';

/**
 * RETR's reply over a maildrop of one message. `atOnce`: what readAtOnce does (the file in full, nothing,
 * or a throw); `full`: the socket's buffer state. Records how the message was read, events and onSent.
 */
async function retr(atOnce: 'reads' | 'declines' | 'throws', full = false, cut = false) {
  const reads: string[] = [];
  const maildrop: Maildrop = {
    user: 'alice',
    messages: [{ uid: 'a', size: WIRE.length - 3 }],
    read: () => {
      reads.push('stream');
      return Readable.from([Buffer.from(STORED)]);
    },
    readAtOnce: () => {
      reads.push('at once');
      if (atOnce === 'throws') throw new Error('EIO');
      return atOnce === 'reads' ? Buffer.from(STORED) : undefined;
    },
    markSeen: () => undefined,
    commit: async () => ({ removed: 0, failed: 0 }),
    release: async () => undefined,
  };
  const events: ServerEvent[] = [];
  const context = {
    connection: { id: 'c1', remote: 'r', address: '127.0.0.1', secure: false, outputPaused$: new BehaviorSubject(full), outputFull: () => full },
    emit: (event: ServerEvent) => events.push(event),
    scheduler: asyncScheduler,
  } as unknown as SessionContext;
  const state = { phase: 'transaction', user: 'alice', maildrop, deleted: new Set() } as unknown as Transaction;
  let sent = 0;
  const reply = messageReply(state, 0, context, cut ? headerAndLines(0) : undefined, undefined, () => (sent += 1));
  const subscribed = lastValueFrom(reply.wire$.pipe(toArray()));
  // A full buffer drains later: the streamed path waits for it.
  if (full) setTimeout(() => context.connection.outputPaused$ instanceof BehaviorSubject && context.connection.outputPaused$.next(false), 5);
  const out = (await subscribed).map(String);
  return { out, text: out.join(''), reads, events, sent };
}

describe('messageReply (RETR)', () => {
  it('sends a message that can be read at once whole, as one buffer: status line, wire form, terminator; one event, onSent', async () => {
    const { out, reads, events, sent } = await retr('reads');
    expect(out).toEqual([`+OK ${WIRE.length - 3} octets\r\n${WIRE}`]);
    expect(reads).toEqual(['at once']);
    expect(events).toMatchObject([{ type: 'message-retrieved', user: 'alice', octets: WIRE.length }]);
    expect(sent).toBe(1);
  });

  it('gives the same octets through the stream when the message cannot be read at once, without reading it at once again', async () => {
    const whole = await retr('reads');
    const streamed = await retr('declines');
    expect(streamed.text).toBe(whole.text);
    expect(streamed.reads).toEqual(['at once', 'stream']);
    expect(streamed.events).toMatchObject([{ type: 'message-retrieved', user: 'alice', octets: WIRE.length }]);
    expect(streamed.sent).toBe(1);
  });

  it('leaves a read that fails to the stream, which answers -ERR [SYS/TEMP] for that message', async () => {
    const { text, events, sent, reads } = await retr('throws');
    expect(text).toBe('-ERR [SYS/TEMP] Message 1 cannot be read\r\n');
    expect({ events, sent, reads }).toEqual({ events: [], sent: 0, reads: ['at once'] });
  });

  it('waits for the socket through the stream when its buffer is full', async () => {
    const { text, reads } = await retr('reads', true);
    expect(text).toBe(`+OK ${WIRE.length - 3} octets\r\n${WIRE}`);
    expect(reads).toEqual(['at once']);
  });

  it('leaves TOP on the stream, which cuts the body', async () => {
    const { text } = await retr('reads', false, true);
    expect(text).toBe(`+OK ${WIRE.length - 3} octets\r\nSubject: hi\r\n\r\n.\r\n`);
  });
});
