import { Readable } from 'node:stream';
import { BehaviorSubject, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Maildrop } from '../../src/maildrop/maildrop.js';
import { messageBytes } from '../../src/pop3/readable-source.js';

/** A maildrop of one message that can be read at once (or not), recording how it was read. */
function maildropOf(text: string, atOnce: boolean) {
  const reads: string[] = [];
  const maildrop: Maildrop = {
    user: 'alice',
    messages: [{ uid: 'a', size: text.length }],
    read: () => {
      reads.push('stream');
      return Readable.from([Buffer.from(text)]);
    },
    readAtOnce: () => {
      reads.push('at once');
      return atOnce ? Buffer.from(text) : undefined;
    },
    markSeen: () => undefined,
    commit: async () => ({ removed: 0, failed: 0 }),
    release: async () => undefined,
  };
  return { maildrop, reads };
}

describe('messageBytes', () => {
  it('gives a message that can be read at once as one chunk, without a stream', async () => {
    const { maildrop, reads } = maildropOf('hello\n', true);
    const chunks = await lastValueFrom(messageBytes(maildrop, 0, new BehaviorSubject(false)).pipe(toArray()));
    expect(chunks.map(String)).toEqual(['hello\n']);
    expect(reads).toEqual(['at once']);
  });

  it('reads nothing while the output is full, and reads once it flows', () => {
    const { maildrop, reads } = maildropOf('hello\n', true);
    const paused$ = new BehaviorSubject(true);
    const chunks: string[] = [];
    let complete = false;
    messageBytes(maildrop, 0, paused$).subscribe({ next: (chunk) => chunks.push(String(chunk)), complete: () => (complete = true) });
    expect(reads).toEqual([]);
    paused$.next(false);
    paused$.next(true);
    paused$.next(false);
    expect({ chunks, complete, reads }).toEqual({ chunks: ['hello\n'], complete: true, reads: ['at once'] });
  });

  it('streams the message when it cannot be read at once, and when the store cannot read at once at all', async () => {
    const declined = maildropOf('large\n', false);
    expect((await lastValueFrom(messageBytes(declined.maildrop, 0, new BehaviorSubject(false)).pipe(toArray()))).map(String)).toEqual(['large\n']);
    expect(declined.reads).toEqual(['at once', 'stream']);
    const { readAtOnce: _dropped, ...streamOnly } = maildropOf('plain\n', true).maildrop;
    expect((await lastValueFrom(messageBytes(streamOnly, 0, new BehaviorSubject(false)).pipe(toArray()))).map(String)).toEqual(['plain\n']);
  });

  it('hands a read that throws to the reply as an error, not to the output signal', async () => {
    const { maildrop } = maildropOf('hello\n', true);
    const failing: Maildrop = {
      ...maildrop,
      readAtOnce: () => {
        throw new Error('EIO');
      },
    };
    await expect(lastValueFrom(messageBytes(failing, 0, new BehaviorSubject(false)))).rejects.toThrow('EIO');
  });
});
