// A loopback port that was free a moment ago, for servers that cannot be told to pick one themselves
// (postgres, slapd, the benchmark's servers). Plain JavaScript, shared with test/bench; types in free-port.d.mts.
import { createServer } from 'node:net';

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}
