// The floor: what the session scenarios cost in Node with nothing but the work itself. A POP3 server in one
// file with no streams, no lock, no log, no events and no listing cache: USER/PASS against the fixture's
// users file, STAT, LIST, UIDL, RETR (each message built as one buffer in one pass), NOOP, QUIT. Sizes come
// from the fixture's `,W=` names, and the replies to one read go out in one write. Not a server to run: a
// yardstick for the bench (`--servers bare`).
//   node test/bench/bare-server.mjs --fixture DIR --port N
import { openSync, readdirSync, readFileSync, readSync, closeSync, fstatSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { fixture: { type: 'string' }, port: { type: 'string' } } });
const dir = values.fixture;
const passwords = new Map(
  readFileSync(join(dir, 'users.passwd'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(':'))
    .map(([name, secret]) => [name, secret.replace('{PLAIN}', '')]),
);

/** The Maildir's messages (new/ then cur/), each with its path, base name and wire size from `,W=`. */
function list(user) {
  const root = join(dir, 'mail', user, 'Maildir');
  return ['new', 'cur'].flatMap((sub) =>
    readdirSync(join(root, sub)).map((name) => ({ path: join(root, sub, name), uid: name.split(':')[0], size: Number(/,W=(\d+)/.exec(name)[1]) })),
  );
}

/** The message on the wire: CRLF line ends, leading dots doubled, then the terminator, in one buffer. */
function wire(path) {
  const fd = openSync(path, 'r');
  const stored = Buffer.allocUnsafe(fstatSync(fd).size);
  readSync(fd, stored, 0, stored.length, 0);
  closeSync(fd);
  const out = Buffer.allocUnsafe(stored.length * 2 + 16);
  let o = out.write('+OK\r\n');
  for (let from = 0; from < stored.length; ) {
    const lf = stored.indexOf(0x0a, from);
    const end = lf === -1 ? stored.length : lf;
    if (stored[from] === 0x2e) out[o++] = 0x2e;
    o += stored.copy(out, o, from, end > from && stored[end - 1] === 0x0d ? end - 1 : end);
    o += out.write('\r\n', o);
    from = end + 1;
  }
  o += out.write('.\r\n', o);
  return out.subarray(0, o);
}

function answer(session, line) {
  const [verb, arg] = line.split(' ');
  switch (verb.toUpperCase()) {
    case 'USER':
      session.user = arg;
      return '+OK\r\n';
    case 'PASS':
      if (passwords.get(session.user) !== arg) return '-ERR [AUTH] Authentication failed\r\n';
      session.messages = list(session.user);
      return `+OK ${session.messages.length} messages\r\n`;
    case 'STAT':
      return `+OK ${session.messages.length} ${session.messages.reduce((sum, m) => sum + m.size, 0)}\r\n`;
    case 'LIST':
      return `+OK\r\n${session.messages.map((m, i) => `${i + 1} ${m.size}\r\n`).join('')}.\r\n`;
    case 'UIDL':
      return `+OK\r\n${session.messages.map((m, i) => `${i + 1} ${m.uid}\r\n`).join('')}.\r\n`;
    case 'RETR':
      return wire(session.messages[Number(arg) - 1].path);
    case 'NOOP':
      return '+OK\r\n';
    case 'QUIT':
      session.done = true;
      return '+OK Bye\r\n';
    default:
      return '-ERR Unknown command\r\n';
  }
}

const server = createServer((socket) => {
  const session = { user: undefined, messages: [], done: false };
  let pending = '';
  socket.setNoDelay(true);
  socket.write('+OK ready\r\n');
  socket.on('data', (chunk) => {
    pending += chunk.toString('latin1');
    const lines = pending.split('\r\n');
    pending = lines.pop();
    // The replies to one read go out in one write (writev): pipelined commands cost one system call.
    socket.cork();
    for (const line of lines) {
      socket.write(answer(session, line));
      if (session.done) break;
    }
    socket.uncork();
    if (session.done) socket.end();
  });
  socket.on('error', () => socket.destroy());
});
server.listen(Number(values.port), '127.0.0.1');
