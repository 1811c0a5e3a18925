import { randomBytes } from 'node:crypto';

/** Octets fetched from the system's CSPRNG at a time: one call per few hundred connection ids, not one each. */
const POOL_OCTETS = 4096;

let pool: Buffer = Buffer.alloc(0);
let used = 0;

/**
 * `octets` random octets, from a pool refilled by `randomBytes`: each call of which costs tens of
 * microseconds, whatever its size, and a connection id needs six. The octets are never handed out twice.
 */
export function randomOctets(octets: number): Buffer {
  if (octets > POOL_OCTETS) return randomBytes(octets);
  if (used + octets > pool.length) {
    pool = randomBytes(POOL_OCTETS);
    used = 0;
  }
  const out = pool.subarray(used, used + octets);
  used += octets;
  return out;
}
