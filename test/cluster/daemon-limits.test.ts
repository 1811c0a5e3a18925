import { describe, expect, it } from 'vitest';
import { loginThrottle } from '../../src/auth/throttle.js';
import { DaemonLimits } from '../../src/cluster/daemon-limits.js';
import { connectionLimiter } from '../../src/net/limiter.js';

function limits(): DaemonLimits {
  const limiter = connectionLimiter({ maxConnections: () => 0, maxPerAddress: () => 2, exempt: () => false });
  return new DaemonLimits(limiter, loginThrottle({ baseDelayMs: 100, maxDelayMs: 1000, now: () => 0 }));
}

describe('DaemonLimits (the primary side of the shared counts)', () => {
  it('counts admissions of every worker together, and releases them on close', () => {
    const daemon = limits();
    expect(daemon.heard(1, { kind: 'admit', id: 1, address: '192.0.2.1' })).toEqual({ kind: 'admission', id: 1 });
    expect(daemon.heard(2, { kind: 'admit', id: 1, address: '192.0.2.1' })).toEqual({ kind: 'admission', id: 1 });
    expect(daemon.heard(1, { kind: 'admit', id: 2, address: '192.0.2.1' })).toEqual({
      kind: 'admission',
      id: 2,
      refused: 'too many connections from this address',
    });
    expect(daemon.heard(2, { kind: 'release', id: 1 })).toBeUndefined();
    expect(daemon.heard(1, { kind: 'admit', id: 3, address: '192.0.2.1' })).toEqual({ kind: 'admission', id: 3 });
  });

  it("frees a dead worker's admissions", () => {
    const daemon = limits();
    daemon.heard(1, { kind: 'admit', id: 1, address: '192.0.2.1' });
    daemon.heard(1, { kind: 'admit', id: 2, address: '192.0.2.1' });
    daemon.gone(1);
    expect(daemon.heard(2, { kind: 'admit', id: 1, address: '192.0.2.1' })).toEqual({ kind: 'admission', id: 1 });
    expect(daemon.heard(2, { kind: 'admit', id: 2, address: '192.0.2.1' })).toEqual({ kind: 'admission', id: 2 });
  });

  it('keeps one penalty record per address for every worker; a success clears it', () => {
    const daemon = limits();
    const failed = (worker: number, id: number) => daemon.heard(worker, { kind: 'login-failed', id, address: '192.0.2.9' });
    expect([failed(1, 1), failed(2, 1), failed(1, 2)]).toEqual([
      { kind: 'penalty', id: 1, delayMs: 100 },
      { kind: 'penalty', id: 1, delayMs: 200 },
      { kind: 'penalty', id: 2, delayMs: 400 },
    ]);
    daemon.heard(2, { kind: 'login-ok', address: '192.0.2.9' });
    expect(failed(2, 2)).toEqual({ kind: 'penalty', id: 2, delayMs: 100 });
  });
});
