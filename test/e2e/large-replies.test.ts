import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSite, startSite, type RunningDaemon, type Site } from '../support/daemon.js';

let site: Site | undefined;
let daemon: RunningDaemon | undefined;

afterEach(async () => {
  if (daemon?.process.exitCode === null) daemon.process.kill('SIGKILL');
  await daemon?.exited;
  daemon = undefined;
  site?.remove();
  site = undefined;
});

/** Random text: lines of random length, bare LF or CRLF ends, some leading dots, stray CRs. */
function randomMessage(octets: number): Buffer {
  const alphabet = Buffer.from('abcdefghij .\r', 'latin1');
  const message = randomBytes(octets);
  for (let i = 0; i < octets; i += 1) message[i] = message[i]! < 4 ? 0x0a : alphabet[message[i]! % alphabet.length]!;
  return message;
}

/** The reference RETR reply (RFC 1939): LIST's size (CRLF line ends, the last line terminated) and the body. */
function retrReply(message: Buffer): string {
  const crlf = message.toString('latin1').replace(/\r?\n/g, '\r\n');
  const terminated = crlf.endsWith('\n') ? crlf : `${crlf}\r\n`;
  return `+OK ${terminated.length} octets\r\n${terminated.replace(/(^|\n)\./g, '$1..')}.\r\n`;
}

/** Everything the server sends on `socket` until `endings` multi-line replies have ended; `pauseMs`: a slow reader. */
function receive(socket: Socket, endings: number, pauseMs = 0): Promise<string> {
  const chunks: Buffer[] = [];
  let seen = 0;
  let tail = '';
  return new Promise((resolve, reject) => {
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // Count terminators, including one split across chunks.
      const text = tail + chunk.toString('latin1');
      for (let at = text.indexOf('\r\n.\r\n'); at !== -1; at = text.indexOf('\r\n.\r\n', at + 1)) seen += 1;
      tail = text.slice(-4);
      // Pausing long enough for the kernel's buffers to fill makes the server's writes queue.
      if (pauseMs > 0 && chunks.length % 50 === 0) {
        socket.pause();
        setTimeout(() => socket.resume(), pauseMs);
      }
      if (seen >= endings) resolve(Buffer.concat(chunks).toString('latin1'));
    });
  });
}

describe('large replies end to end', () => {
  it('concurrent RETRs of large messages, fast and slow readers, arrive octet for octet, twice in a row', async () => {
    const users = ['ann', 'bob', 'cid'];
    const messages = users.map(() => randomMessage(12 * 1024 * 1024 + 12345));
    site = makeSite({
      users: Object.fromEntries(users.map((user) => [user, 'pw'])),
      mail: Object.fromEntries(users.map((user, i) => [user, [messages[i]!.toString('latin1')]])),
    });
    daemon = await startSite({ site });
    const port = daemon.port('pop3');
    const transcripts = await Promise.all(
      users.map((user, i) => {
        const socket = connect(port, '127.0.0.1');
        const received = receive(socket, 2, i === 1 ? 100 : 0);
        socket.write(`USER ${user}\r\nPASS pw\r\nRETR 1\r\nRETR 1\r\n`);
        return received.finally(() => socket.destroy());
      }),
    );
    transcripts.forEach((transcript, i) => {
      const expected = retrReply(messages[i]!);
      const start = transcript.indexOf(expected.slice(0, expected.indexOf('\n') + 1));
      expect(start).toBeGreaterThan(0);
      // Compare lengths first: a mismatch in 24 MB of text is unreadable in a diff.
      expect(transcript.length - start).toBe(2 * expected.length);
      expect(transcript.slice(start) === expected + expected).toBe(true);
    });
  });
});
