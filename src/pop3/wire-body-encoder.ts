import { roomBefore, roomFor } from '../maildrop/chunk-buffers.js';
import { bareLineFeeds } from '../sizes/wire-size.js';

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const TERMINATOR = Buffer.from('.\r\n');
const CRLF_TERMINATOR = Buffer.from('\r\n.\r\n');

/**
 * The octets the wire form adds to `chunk[start..]`: a CR before each bare LF (counted as sizes count
 * them), a dot before each line that starts with one. `before` is the octet ahead of `start`.
 */
function addedOctets(chunk: Buffer, start: number, before: number): number {
  let dots = before === LF && chunk[start] === DOT ? 1 : 0;
  for (let lf = chunk.indexOf(LF, start); lf !== -1; lf = chunk.indexOf(LF, lf + 1)) {
    if (lf + 1 < chunk.length && chunk[lf + 1] === DOT) dots += 1;
  }
  return bareLineFeeds(chunk, start, before) + dots;
}

/**
 * `chunk[start..]` at `out[room..]`, expanded in place from the front: each run between two insertions
 * moves down with `copyWithin` (a memmove; no object per line), the inserted octet goes in the room this
 * leaves. The chunk is copied there once, unless it came with room of its own (see chunk-buffers.ts).
 */
class Expansion {
  readonly #out: Buffer;
  /** Input octet i sits at out[i + shift]. */
  readonly #shift: number;
  /** out[0, written) is done; input octets from `pending` on have not moved yet. */
  #written = 0;
  #pending: number;
  #full = false;

  constructor(chunk: Buffer, start: number, room: number) {
    const own = start === 0 ? roomBefore(chunk) : 0;
    if (own > 0) {
      this.#out = Buffer.from(chunk.buffer, chunk.byteOffset - own, own + chunk.length);
      room = own;
    } else {
      this.#out = Buffer.allocUnsafe(chunk.length - start + room);
      chunk.copy(this.#out, room, start);
    }
    this.#shift = room - start;
    this.#pending = start;
  }

  /** Puts `octet` before input octet `at` (at or after the previous insertion); false when out of room. */
  insert(at: number, octet: number): boolean {
    this.#moveUpTo(at);
    if (this.#written === at + this.#shift) {
      this.#full = true;
      return false;
    }
    this.#out[this.#written++] = octet;
    return true;
  }

  /** False once an insertion did not fit. */
  fits(): boolean {
    return !this.#full;
  }

  /** The first input octet not moved yet: where an insertion did not fit. */
  pendingFrom(): number {
    return this.#pending;
  }

  /** The output so far (when room ran out: everything before the octet that did not fit). */
  done(): Buffer {
    return this.#out.subarray(0, this.#written);
  }

  /** The whole output: the rest of the input, up to `end`, moved down over the room left unused. */
  finish(end: number): Buffer {
    this.#moveUpTo(end);
    return this.done();
  }

  #moveUpTo(at: number): void {
    if (at <= this.#pending) return;
    this.#out.copyWithin(this.#written, this.#pending + this.#shift, at + this.#shift);
    this.#written += at - this.#pending;
    this.#pending = at;
  }
}

/**
 * A message body into its wire form (RFC 1939 §3): every line end CRLF, a dot before each line that
 * starts with one, and "." CRLF at the end. Works chunk by chunk, carrying one octet across borders,
 * so memory does not grow with the message. A chunk that needs no change is passed on as it is;
 * otherwise it is expanded (see Expansion) in the room it came with, or else in one new buffer with
 * room for the usual ~2% (roomFor). Where the room falls short, what is done is emitted and the rest
 * of the chunk is expanded again in a new buffer with the room counted exactly. Chunks are not
 * modified, except those handed over with room (allocWithRoom), which are expanded where they are.
 */
export class WireBodyEncoder {
  /** The last octet of the body so far; LF before the first, so that a leading dot is stuffed. */
  #last = LF;

  /** Passes the wire form of `chunk` to `emit`: the chunk itself, or (rarely more than) one new buffer. */
  encode(chunk: Buffer, emit: (out: Buffer) => void): void {
    if (chunk.length === 0) return;
    encodeFrom(chunk, 0, this.#last, false, emit);
    this.#last = chunk[chunk.length - 1]!;
  }

  /** What ends the body: the terminator, after a CRLF if the last line lacks its end. */
  end(): Buffer {
    return this.#last === LF ? TERMINATOR : CRLF_TERMINATOR;
  }
}

/** `chunk[start..]` into wire form, `before` being the octet ahead of it. */
function encodeFrom(chunk: Buffer, start: number, before: number, exact: boolean, emit: (out: Buffer) => void): void {
  const expansion = expandLines(chunk, start, before, exact);
  if (expansion === undefined) emit(start === 0 ? chunk : chunk.subarray(start));
  else if (expansion.fits()) emit(expansion.finish(chunk.length));
  else {
    // Room ran out: emit what is done, then the rest with the room counted exactly.
    emit(expansion.done());
    const rest = expansion.pendingFrom();
    encodeFrom(chunk, rest, chunk[rest - 1]!, true, emit);
  }
}

/**
 * The insertions into `chunk[start..]`, one line at a time; undefined when none is needed. The loop is
 * alone in its function, with nothing after it but a return: when V8 optimises it in the middle of a
 * chunk (on-stack replacement), code after the loop has not run yet, and a call there would bail out
 * of the optimised code at the end of every chunk.
 */
function expandLines(chunk: Buffer, start: number, before: number, exact: boolean): Expansion | undefined {
  const end = chunk.length;
  let expansion: Expansion | undefined;
  if (before === LF && chunk[start] === DOT) {
    expansion = expand(chunk, start, before, exact);
    expansion.insert(start, DOT); // the first insertion always fits
  }
  for (let lf = chunk.indexOf(LF, start); lf !== -1; lf = chunk.indexOf(LF, lf + 1)) {
    if ((lf > start ? chunk[lf - 1] : before) !== CR) {
      expansion ??= expand(chunk, start, before, exact);
      if (!expansion.insert(lf, CR)) break;
    }
    if (lf + 1 < end && chunk[lf + 1] === DOT) {
      expansion ??= expand(chunk, start, before, exact);
      if (!expansion.insert(lf + 1, DOT)) break;
    }
  }
  return expansion;
}

function expand(chunk: Buffer, start: number, before: number, exact: boolean): Expansion {
  return new Expansion(chunk, start, exact ? addedOctets(chunk, start, before) : roomFor(chunk.length - start));
}
