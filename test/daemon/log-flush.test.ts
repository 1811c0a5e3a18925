import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushWhilePending } from '../../src/daemon/log-flush.js';

/** A stand-in for sonic-boom: counts flushes, and emits `write` as a real write would. */
class Destination extends EventEmitter {
  flushes = 0;
  flush(): void {
    this.flushes += 1;
  }
}

describe('flushWhilePending', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('does nothing on ticks while nothing came in', () => {
    const destination = new Destination();
    flushWhilePending(destination, 100);
    vi.advanceTimersByTime(1000);
    expect(destination.flushes).toBe(0);
  });

  it('flushes at the next tick after a line, once', () => {
    const destination = new Destination();
    const { noteLine } = flushWhilePending(destination, 100);
    expect(noteLine('{"a":1}\n')).toBe('{"a":1}\n');
    noteLine('{"a":2}\n');
    vi.advanceTimersByTime(99);
    expect(destination.flushes).toBe(0);
    vi.advanceTimersByTime(1);
    expect(destination.flushes).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(destination.flushes).toBe(1);
  });

  it('flushes again after a write that wrote something (lines may have come in behind it), not after an empty one', () => {
    const destination = new Destination();
    flushWhilePending(destination, 100);
    destination.emit('write', 4096);
    vi.advanceTimersByTime(100);
    expect(destination.flushes).toBe(1);
    destination.emit('write', 0);
    vi.advanceTimersByTime(1000);
    expect(destination.flushes).toBe(1);
  });

  it('stops when the destination closes', () => {
    const destination = new Destination();
    const { noteLine } = flushWhilePending(destination, 100);
    destination.emit('close');
    noteLine('{"a":1}\n');
    vi.advanceTimersByTime(1000);
    expect(destination.flushes).toBe(0);
  });
});
