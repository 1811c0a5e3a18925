import { createServer, type Server, type Socket } from 'node:net';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** Binds a TCP listener; resolves once it accepts connections (port 0 picks a free one). */
export function listen(endpoint: Endpoint, onSocket: (socket: Socket) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer({ noDelay: true }, onSocket);
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
