import { connect, type Socket } from 'node:net';

/** A minimal raw POP3 client for end-to-end tests: exact bytes in, exact bytes out. */
export class RawClient {
  private buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number, host = '127.0.0.1'): Promise<RawClient> {
    const socket = connect(port, host);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  /** A client over a socket already connected, e.g. the TLS socket after STLS or to a POP3S port. */
  static over(socket: Socket): RawClient {
    return new RawClient(socket);
  }

  send(text: string | Buffer): void {
    this.socket.write(text);
  }

  /** Next CRLF-terminated line, without the CRLF. */
  async line(): Promise<string> {
    const end = await this.until((buffer) => {
      const at = buffer.indexOf('\r\n');
      return at === -1 ? undefined : at + 2;
    });
    return end.toString('latin1').slice(0, -2);
  }

  /** A status line and, if positive, the multi-line body up to and including the "." line, raw. */
  async multiline(): Promise<string> {
    const end = await this.until((buffer) => {
      if (buffer.subarray(0, 4).toString() === '-ERR') {
        const at = buffer.indexOf('\r\n');
        return at === -1 ? undefined : at + 2;
      }
      const at = buffer.indexOf('\r\n.\r\n');
      return at === -1 ? undefined : at + 5;
    });
    return end.toString('latin1');
  }

  async command(text: string): Promise<string> {
    this.send(`${text}\r\n`);
    return this.line();
  }

  /** Resolves when the server closes the connection. */
  async ended(): Promise<void> {
    await this.until(() => (this.closed ? 0 : undefined)).catch(() => undefined);
  }

  close(): void {
    this.socket.destroy();
  }

  private async until(take: (buffer: Buffer) => number | undefined): Promise<Buffer> {
    for (;;) {
      const end = take(this.buffer);
      if (end !== undefined) {
        const out = this.buffer.subarray(0, end);
        this.buffer = this.buffer.subarray(end);
        return out;
      }
      if (this.closed) throw new Error(`connection closed; unread: ${this.buffer.toString('latin1').slice(0, 200)}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}
