import { afterEach, describe, expect, it, vi } from 'vitest';
import { OpenConnections } from '../../src/daemon/open-connections.js';
import type { OpenConnection } from '../../src/net/connection.js';

/** A connection that closes when told to, or when destroyed. */
function connection(id: string): OpenConnection & { end(): void; destroyed: boolean } {
  let end = (): void => undefined;
  const closed = new Promise<void>((resolve) => (end = resolve));
  const made: OpenConnection & { end(): void; destroyed: boolean } = {
    id,
    closed,
    onClosed: (listener) => void closed.then(() => (typeof listener === 'function' ? listener(made) : listener.release())),
    destroyed: false,
    end: () => end(),
    destroy: () => {
      made.destroyed = true;
      end();
    },
  };
  return made;
}

describe('OpenConnections', () => {
  afterEach(() => vi.useRealTimers());

  it('resolves as soon as every connection has ended on its own, closing none', async () => {
    const open = new OpenConnections();
    const a = connection('a');
    open.add(a);
    const graceOver = vi.fn();
    const drained = open.drain(60_000, graceOver);
    a.end();
    await drained;
    expect(a.destroyed).toBe(false);
    expect(graceOver).not.toHaveBeenCalled();
  });

  it('after the grace period, says how many are left and closes them', async () => {
    vi.useFakeTimers();
    const open = new OpenConnections();
    const [a, b, c] = [connection('a'), connection('b'), connection('c')];
    for (const each of [a, b, c]) open.add(each);
    a.end();
    await Promise.resolve();
    const graceOver = vi.fn();
    const drained = open.drain(1000, graceOver);
    await vi.advanceTimersByTimeAsync(1000);
    await drained;
    expect(graceOver).toHaveBeenCalledWith(2);
    expect([a.destroyed, b.destroyed, c.destroyed]).toEqual([false, true, true]);
  });
});
