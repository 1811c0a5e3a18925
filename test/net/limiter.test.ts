import { describe, expect, it } from 'vitest';
import { connectionLimiter, type Admission } from '../../src/net/limiter.js';

const admitted = (admission: Admission): (() => void) => {
  if (!admission.admitted) throw new Error(`refused: ${admission.reason}`);
  return () => admission.release();
};

describe('connection limiter', () => {
  it('refuses over the global limit until a connection is released', () => {
    const limiter = connectionLimiter({ maxConnections: () => 2, maxPerAddress: () => 0, exempt: () => false });
    const release = admitted(limiter.admit('a'));
    admitted(limiter.admit('b'));
    expect(limiter.admit('c')).toEqual({ admitted: false, reason: 'too many connections' });
    release();
    release(); // idempotent: a second release frees nothing more
    admitted(limiter.admit('c'));
    expect(limiter.admit('d').admitted).toBe(false);
  });

  it('refuses over the per-address limit, except for exempt (trusted) addresses', () => {
    const limiter = connectionLimiter({ maxConnections: () => 0, maxPerAddress: () => 2, exempt: (a) => a === 'trusted' });
    admitted(limiter.admit('a'));
    const release = admitted(limiter.admit('a'));
    expect(limiter.admit('a')).toEqual({ admitted: false, reason: 'too many connections from this address' });
    admitted(limiter.admit('b'));
    for (let i = 0; i < 5; i++) admitted(limiter.admit('trusted'));
    release();
    admitted(limiter.admit('a'));
  });

  it('reads the limits at each admission, so a live change applies to the next connection', () => {
    let max = 1;
    const limiter = connectionLimiter({ maxConnections: () => max, maxPerAddress: () => 0, exempt: () => false });
    admitted(limiter.admit('a'));
    expect(limiter.admit('b').admitted).toBe(false);
    max = 0;
    admitted(limiter.admit('b'));
  });
});
