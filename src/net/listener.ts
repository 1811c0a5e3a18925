import { createServer, type Server, type Socket } from 'node:net';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/**
 * How much a connection's socket buffers before its writes report backpressure (Node's default is 16 KiB).
 * Replies written until then leave in one writev: with 64 KiB, a pipelined session of 10 kB messages
 * takes a third of the writes and of the drain-and-resume rounds. Only a connection being written to holds it.
 */
export const SOCKET_BUFFER_OCTETS = 64 * 1024;

/** Binds a TCP listener; resolves once it accepts connections (port 0 picks a free one). */
export function listen(endpoint: Endpoint, onSocket: (socket: Socket) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    // allowHalfOpen: a client that half-closes after its last command (`nc -N`, socat) still gets every reply;
    // Node would otherwise end our side at its FIN and drop them, while the commands went on running. One
    // that closes outright makes our next write fail, and the socket's close ends its session without UPDATE.
    const server = createServer({ noDelay: true, highWaterMark: SOCKET_BUFFER_OCTETS, allowHalfOpen: true }, onSocket);
    server.once('error', reject);
    server.listen(endpoint.port, endpoint.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

export function boundPort(server: Server): number {
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}
