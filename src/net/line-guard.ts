const LF = 0x0a;
const LINE_END = Buffer.from('\n');

/**
 * Bounds what a peer can make us buffer: of each chunk, returns only complete lines (ending in LF), and of
 * an over-long line only its first `maxOctets + 1` octets, so the splitter after it still sees that the
 * line was too long while the rest of it is dropped as it arrives. A partial line is held (bounded) until
 * its LF comes; one at end of input is never returned: a command the client never finished is not a command.
 * A plain function rather than a Transform stream: it runs inside the socket's one 'data' listener.
 */
export function lineGuard(maxOctets: number): (chunk: Buffer) => Buffer | undefined {
  let pending: Buffer[] = [];
  let kept = 0; // octets of the current line held in `pending`
  const keep = (part: Buffer): void => {
    const room = maxOctets + 1 - kept;
    if (room <= 0 || part.length === 0) return;
    // Copy: a view would pin the peer's whole (possibly large) chunk in memory.
    const slice = Buffer.from(part.length > room ? part.subarray(0, room) : part);
    pending.push(slice);
    kept += slice.length;
  };
  return (chunk) => {
    const lf = chunk.indexOf(LF);
    // The common case, a chunk of whole short commands: passed as it is, no copies.
    if (pending.length === 0 && lf !== -1 && chunk[chunk.length - 1] === LF && !hasLineLongerThan(chunk, maxOctets)) {
      return chunk;
    }
    const out: Buffer[] = [];
    let from = 0;
    for (let at = lf; at !== -1; at = chunk.indexOf(LF, from)) {
      keep(chunk.subarray(from, at));
      out.push(...pending, LINE_END);
      pending = [];
      kept = 0;
      from = at + 1;
    }
    keep(chunk.subarray(from));
    return out.length > 0 ? Buffer.concat(out) : undefined;
  };
}

function hasLineLongerThan(chunk: Buffer, maxOctets: number): boolean {
  let from = 0;
  for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, from)) {
    if (lf - from > maxOctets + 1) return true;
    from = lf + 1;
  }
  return false;
}
