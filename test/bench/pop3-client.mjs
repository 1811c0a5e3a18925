// A small, fast POP3 client for load generation. Replies are parsed straight off the socket's Buffers:
// status lines up to CRLF, multi-line bodies scanned for "\n." only (native indexOf), so that stuffed dots
// and the terminator are found without a per-byte loop. Every multi-line reply is checked for a proper
// terminator and its octets are counted after un-stuffing, which is what LIST announces.
import { connect } from 'node:net';

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const NL_DOT = Buffer.from('\n.');
const MAX_STATUS = 4096;

export class ProtocolError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ProtocolError';
  }
}

// Line-start states inside a multi-line body.
const MID_LINE = 0; // inside a line
const LINE_START = 1; // next octet starts a line
const SAW_DOT = 2; // a line started with "."
const SAW_DOT_CR = 3; // a line started with ".\r"

/**
 * One POP3 connection. `command(line, options)` writes the line and resolves with its reply; several may
 * be outstanding (pipelining), replies are matched in order. `send(text, expectations)` writes many
 * commands in one write.
 */
export class Pop3Client {
  #socket;
  #queue = [];
  #status = '';
  #inBody = false;
  #body = undefined;
  #closed = false;
  #error = undefined;
  /** Octets received, all replies included. */
  received = 0;

  constructor(socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.#onData(chunk));
    socket.on('error', (error) => this.#fail(error));
    socket.on('close', () => {
      this.#closed = true;
      this.#fail(new ProtocolError('connection closed'));
    });
  }

  /** Connects and waits for the greeting (an expectation like any reply). */
  static open(host, port, { timeoutMs = 30_000 } = {}) {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const client = new Pop3Client(socket);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ProtocolError('connect/greeting timeout'));
      }, timeoutMs);
      client.#expect({ multi: false }).then(
        (greeting) => {
          clearTimeout(timer);
          if (!greeting.ok) reject(new ProtocolError(`greeting: ${greeting.status}`));
          else resolve(client);
        },
        (error) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  get socket() {
    return this.#socket;
  }

  get closed() {
    return this.#closed;
  }

  /** Writes `line` CRLF; resolves with { ok, status, octets, body? }. multi: a multi-line reply on +OK. */
  command(line, options = {}) {
    const reply = this.#expect(options);
    this.#socket.write(`${line}\r\n`);
    return reply;
  }

  /** Pipelining: all `lines` in one write; one promise per line, in order. */
  pipeline(commands) {
    const replies = commands.map(({ options }) => this.#expect(options ?? {}));
    this.#socket.write(commands.map(({ line }) => `${line}\r\n`).join(''));
    return replies;
  }

  /** Resolves when the server has closed the connection (after QUIT). */
  whenClosed() {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#socket.once('close', resolve));
  }

  destroy() {
    this.#socket.destroy();
  }

  #expect(options) {
    if (this.#error) return Promise.reject(this.#error);
    return new Promise((resolve, reject) => this.#queue.push({ ...options, resolve, reject }));
  }

  #fail(error) {
    this.#error ??= error;
    for (const pending of this.#queue.splice(0)) pending.reject(this.#error);
  }

  #finish(reply) {
    const pending = this.#queue.shift();
    pending.resolve(reply);
  }

  #onData(chunk) {
    this.received += chunk.length;
    let i = 0;
    try {
      while (i < chunk.length) {
        const pending = this.#queue[0];
        if (pending === undefined) throw new ProtocolError(`unexpected data: ${JSON.stringify(chunk.latin1Slice(i, i + 60))}`);
        i = this.#inBody ? this.#scanBody(chunk, i, pending) : this.#scanStatus(chunk, i, pending);
      }
    } catch (error) {
      this.#fail(error);
      this.#socket.destroy();
    }
  }

  #scanStatus(chunk, from, pending) {
    const lf = chunk.indexOf(LF, from);
    if (lf === -1) {
      this.#status += chunk.latin1Slice(from);
      if (this.#status.length > MAX_STATUS) throw new ProtocolError('status line too long');
      return chunk.length;
    }
    const line = this.#status + chunk.latin1Slice(from, lf + 1);
    this.#status = '';
    if (!line.endsWith('\r\n')) throw new ProtocolError(`status line without CRLF: ${JSON.stringify(line)}`);
    const ok = line.startsWith('+OK');
    if (!ok && !line.startsWith('-ERR')) throw new ProtocolError(`bad status line: ${JSON.stringify(line)}`);
    const status = line.slice(0, -2);
    if (ok && pending.multi) {
      this.#inBody = true;
      this.#body = { status, consumed: 0, stuffed: 0, state: LINE_START, parts: pending.collect ? [] : undefined, pending };
    } else {
      this.#finish({ ok, status, octets: 0 });
    }
    return lf + 1;
  }

  /** Scans body octets from `from`; returns where it stopped (after the terminator, or the chunk's end). */
  #scanBody(chunk, from, pending) {
    const body = this.#body;
    const end = chunk.length;
    let i = from;
    for (;;) {
      if (body.state === MID_LINE) {
        const k = chunk.indexOf(NL_DOT, i);
        if (k === -1) {
          body.state = chunk[end - 1] === LF ? LINE_START : MID_LINE;
          return this.#consume(chunk, from, end);
        }
        body.state = SAW_DOT;
        i = k + 2;
        continue;
      }
      if (i >= end) return this.#consume(chunk, from, end);
      const octet = chunk[i];
      if (body.state === LINE_START) {
        body.state = octet === DOT ? SAW_DOT : MID_LINE;
        if (octet === DOT) i++;
      } else if (body.state === SAW_DOT) {
        if (octet === DOT) {
          body.stuffed++;
          body.state = MID_LINE;
          i++;
        } else if (octet === CR) {
          body.state = SAW_DOT_CR;
          i++;
        } else {
          throw new ProtocolError('a body line starts with an unstuffed "."');
        }
      } else {
        // SAW_DOT_CR
        if (octet !== LF) throw new ProtocolError('a body line starts with "." CR without LF');
        this.#consume(chunk, from, i + 1);
        this.#inBody = false;
        this.#body = undefined;
        // Body octets: everything before the ".\r\n", less one stuffing dot per stuffed line.
        const octets = body.consumed - 3 - body.stuffed;
        const reply = { ok: true, status: body.status, octets };
        if (body.parts) reply.body = Buffer.concat(body.parts).subarray(0, body.consumed - 3);
        this.#finish(reply);
        return i + 1;
      }
    }
  }

  #consume(chunk, from, to) {
    const body = this.#body;
    body.consumed += to - from;
    if (body.parts) body.parts.push(chunk.subarray(from, to));
    return to;
  }
}

/** The lines of a collected multi-line body (LIST, UIDL), un-stuffed. */
export function bodyLines(body) {
  if (body.length === 0) return [];
  const text = body.toString('latin1');
  if (!text.endsWith('\r\n')) throw new ProtocolError('multi-line body does not end with CRLF');
  return text
    .slice(0, -2)
    .split('\r\n')
    .map((line) => (line.startsWith('.') ? line.slice(1) : line));
}
