import { describe, expect, it } from 'vitest';
import type { FromWorker } from '../../src/cluster/messages.js';
import { gatheringSender } from '../../src/cluster/outbox.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('gatheringSender', () => {
  it('posts the messages of one turn as one batch, in order, and the next turn on its own', async () => {
    const posted: FromWorker[] = [];
    const send = gatheringSender((message, sent) => {
      posted.push(message);
      sent();
    });
    void send({ kind: 'admit', id: 1, address: '192.0.2.1' });
    void send({ kind: 'release', id: 0 });
    void send({ kind: 'login-ok', address: '192.0.2.1' });
    expect(posted).toEqual([]);
    await turn();
    expect(posted).toEqual([
      {
        kind: 'batch',
        messages: [
          { kind: 'admit', id: 1, address: '192.0.2.1' },
          { kind: 'release', id: 0 },
          { kind: 'login-ok', address: '192.0.2.1' },
        ],
      },
    ]);
    void send({ kind: 'release', id: 1 });
    await turn();
    expect(posted[1]).toEqual({ kind: 'release', id: 1 });
  });

  it('resolves each send only once its batch is written', async () => {
    let write: (() => void) | undefined;
    const send = gatheringSender((_message, sent) => (write = sent));
    const resolved: number[] = [];
    void send({ kind: 'release', id: 1 }).then(() => resolved.push(1));
    void send({ kind: 'release', id: 2 }).then(() => resolved.push(2));
    await turn();
    await turn();
    expect(resolved).toEqual([]);
    write!();
    await turn();
    expect(resolved).toEqual([1, 2]);
  });
});
