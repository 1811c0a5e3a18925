// Preloaded into the daemon by the soak (node --expose-gc --import heap-probe.mjs): on SIGUSR2, a full
// garbage collection, then one JSON line of process.memoryUsage() appended to $SOAK_HEAP_PROBE_FILE. The
// heap measured right after a full collection is what is still reachable: a leak shows there first.
// (Not a POP3D_ variable: the daemon reads those as config keys.)
import { appendFileSync } from 'node:fs';

const file = process.env.SOAK_HEAP_PROBE_FILE;
if (file) {
  process.on('SIGUSR2', () => {
    globalThis.gc?.();
    appendFileSync(file, `${JSON.stringify({ at: Date.now(), pid: process.pid, ...process.memoryUsage() })}\n`);
  });
}
