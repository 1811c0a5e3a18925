const LF = 0x0a;
const LINE_END = Buffer.from('\n');

/**
 * Bounds what a peer can make us buffer: of each chunk, returns only complete lines (ending in LF). A line
 * that passes `maxOctets` (plus a CR) is answered at once, without waiting for its end: a stand-in longer
 * than `maxOctets` is returned in its place, so the splitter after it reports the line as too long, and the
 * rest of it is dropped as it arrives. When such a line goes on past `endlessOctets`, `onEndless` is called
 * once and everything after it is dropped: the connection is to be closed. A partial line is held (bounded)
 * until its LF comes; one at end of input is never returned: a command the client never finished is not one.
 * A plain function rather than a Transform stream: it runs inside the socket's one 'data' listener.
 */
export function lineGuard(
  maxOctets: number,
  endlessOctets: number,
  onEndless: () => void,
): (chunk: Buffer) => Buffer | undefined {
  // A line may hold maxOctets octets and the CR of its CRLF; one more octet without its LF is too long.
  const keepable = maxOctets + 1;
  let pending: Buffer[] = [];
  let kept = 0; // octets of the current line held in `pending`
  let seen = 0; // octets of the current line so far, held or dropped
  let dropping = false; // the current line was answered as too long
  let endless = false;
  /** Takes one piece of the current line; returns the stand-in when the piece makes the line too long. */
  const take = (part: Buffer): Buffer | undefined => {
    seen += part.length;
    if (dropping) {
      if (seen > endlessOctets && !endless) {
        endless = true;
        onEndless();
      }
      return undefined;
    }
    if (kept + part.length > keepable) {
      dropping = true;
      pending = [];
      kept = 0;
      return tooLongStandIn(keepable);
    }
    // Copy: a view would pin the peer's whole (possibly large) chunk in memory.
    if (part.length > 0) pending.push(Buffer.from(part));
    kept += part.length;
    return undefined;
  };
  const endLine = (out: Buffer[]): void => {
    if (!dropping) out.push(...pending, LINE_END);
    pending = [];
    kept = 0;
    seen = 0;
    dropping = false;
  };
  return (chunk) => {
    if (endless) return undefined;
    const lf = chunk.indexOf(LF);
    // The common case, a chunk of whole short commands: passed as it is, no copies.
    if (pending.length === 0 && !dropping && lf !== -1 && chunk[chunk.length - 1] === LF && !hasLineLongerThan(chunk, keepable)) {
      return chunk;
    }
    const out: Buffer[] = [];
    let from = 0;
    for (let at = lf; at !== -1 && !endless; at = chunk.indexOf(LF, from)) {
      const standIn = take(chunk.subarray(from, at));
      if (standIn !== undefined) out.push(standIn);
      endLine(out);
      from = at + 1;
    }
    if (!endless) {
      const standIn = take(chunk.subarray(from));
      if (standIn !== undefined) out.push(standIn);
    }
    return out.length > 0 ? Buffer.concat(out) : undefined;
  };
}

const standIns = new Map<number, Buffer>();
/** One shared stand-in per length, rather than one per connection: thousands of connections stay open. */
function tooLongStandIn(octets: number): Buffer {
  let standIn = standIns.get(octets);
  if (standIn === undefined) standIns.set(octets, (standIn = Buffer.concat([Buffer.alloc(octets, 0x78), LINE_END])));
  return standIn;
}

function hasLineLongerThan(chunk: Buffer, octets: number): boolean {
  let from = 0;
  for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, from)) {
    if (lf - from > octets) return true;
    from = lf + 1;
  }
  return false;
}
