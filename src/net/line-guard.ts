const LF = 0x0a;
const LINE_END = Buffer.from('\n');

/**
 * Bounds what a peer can make us buffer: of each chunk, `feed` returns only complete lines (ending in LF). A
 * line that passes `maxOctets` (plus a CR) is answered at once, without waiting for its end: a stand-in longer
 * than `maxOctets` is returned in its place, so the splitter after it reports the line as too long, and the
 * rest of it is dropped as it arrives. When such a line goes on past `endlessOctets`, `endless` becomes true
 * and everything after it is dropped: the connection is to be closed. A partial line is held (bounded)
 * until its LF comes; one at end of input is never returned: a command the client never finished is not one.
 * A plain object rather than a Transform stream: it runs inside the socket's one 'data' listener, and a
 * class rather than closures, as thousands of connections stay open.
 */
export class LineGuard {
  // A line may hold maxOctets octets and the CR of its CRLF; one more octet without its LF is too long.
  readonly #keepable: number;
  readonly #endlessOctets: number;
  #pending: Buffer[] | undefined; // the current line's octets held, when there are any
  #kept = 0; // octets of the current line held in `pending`
  #seen = 0; // octets of the current line so far, held or dropped
  #dropping = false; // the current line was answered as too long
  #endless = false;

  constructor(maxOctets: number, endlessOctets: number) {
    this.#keepable = maxOctets + 1;
    this.#endlessOctets = endlessOctets;
  }

  /** A too-long line went on past `endlessOctets`: nothing more is returned. */
  get endless(): boolean {
    return this.#endless;
  }

  feed(chunk: Buffer): Buffer | undefined {
    if (this.#endless) return undefined;
    const lf = chunk.indexOf(LF);
    // The common case, a chunk of whole short commands: passed as it is, no copies.
    if (this.#pending === undefined && !this.#dropping && lf !== -1 && chunk[chunk.length - 1] === LF && !hasLineLongerThan(chunk, this.#keepable)) {
      return chunk;
    }
    const out: Buffer[] = [];
    let from = 0;
    for (let at = lf; at !== -1 && !this.#endless; at = chunk.indexOf(LF, from)) {
      const standIn = this.#take(chunk.subarray(from, at));
      if (standIn !== undefined) out.push(standIn);
      this.#endLine(out);
      from = at + 1;
    }
    if (!this.#endless) {
      const standIn = this.#take(chunk.subarray(from));
      if (standIn !== undefined) out.push(standIn);
    }
    return out.length > 0 ? Buffer.concat(out) : undefined;
  }

  /** Takes one piece of the current line; returns the stand-in when the piece makes the line too long. */
  #take(part: Buffer): Buffer | undefined {
    this.#seen += part.length;
    if (this.#dropping) {
      if (this.#seen > this.#endlessOctets) this.#endless = true;
      return undefined;
    }
    if (this.#kept + part.length > this.#keepable) {
      this.#dropping = true;
      this.#pending = undefined;
      this.#kept = 0;
      return tooLongStandIn(this.#keepable);
    }
    // Copy: a view would pin the peer's whole (possibly large) chunk in memory.
    if (part.length > 0) (this.#pending ??= []).push(Buffer.from(part));
    this.#kept += part.length;
    return undefined;
  }

  #endLine(out: Buffer[]): void {
    if (!this.#dropping) {
      if (this.#pending !== undefined) out.push(...this.#pending);
      out.push(LINE_END);
    }
    this.#pending = undefined;
    this.#kept = 0;
    this.#seen = 0;
    this.#dropping = false;
  }
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
