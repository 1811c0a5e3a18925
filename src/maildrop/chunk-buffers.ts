/**
 * Buffers for message chunks, with free octets in front, so that a consumer that makes a chunk longer
 * (the wire encoder adds a CR per bare LF) can do it in place instead of copying it into a new buffer.
 * A chunk from `allocWithRoom` owns its ArrayBuffer: whoever receives it may overwrite it and the room
 * in front, and passes on at most one part of it. Any other buffer has no room (it may share its
 * ArrayBuffer, e.g. Node's pool for small buffers).
 *
 * Full-size chunks are lent: once the socket has taken one, `giveBack` keeps its memory for a later read.
 * A large reply thus cycles through a few warm buffers instead of leaving ~100 MB of garbage per 100 MB
 * sent, which the GC collects only every few dozen MB (RSS grows by that much).
 */
const dataStart = new WeakMap<ArrayBufferLike, number>();

/** The largest chunk: big enough that per-chunk costs (a promise, a socket write, events) vanish, small enough to stay in cache. */
export const CHUNK_OCTETS = 256 * 1024;

/** Room to leave for `octets` of text: wire form adds ~2% to text with bare LF line ends. */
export const roomFor = (octets: number): number => (octets >>> 4) + 16;

const POOLED_SIZE = roomFor(CHUNK_OCTETS) + CHUNK_OCTETS;
/** Spare full-size buffers: enough for a few large replies in flight at once, 2 MB at most. */
const SPARE_LIMIT = 8;
const spare: ArrayBuffer[] = [];
/** Full-size buffers handed out and not given back yet. */
const lent = new WeakSet<ArrayBufferLike>();

/** A buffer of `octets` with `room` free octets ahead of it in its own ArrayBuffer. */
export function allocWithRoom(room: number, octets: number): Buffer {
  const size = room + octets;
  const pooled = size === POOLED_SIZE;
  const reused = pooled ? spare.pop() : undefined;
  const whole = reused === undefined ? Buffer.allocUnsafeSlow(size) : Buffer.from(reused);
  dataStart.set(whole.buffer, room);
  if (pooled) lent.add(whole.buffer);
  return whole.subarray(room);
}

/** The free octets in front of `chunk`: non-zero only for a chunk from allocWithRoom, or a part from its start. */
export function roomBefore(chunk: Buffer): number {
  return dataStart.get(chunk.buffer) === chunk.byteOffset ? chunk.byteOffset : 0;
}

/**
 * The octets of `chunk` (from allocWithRoom, or the one part of it that was passed on) are no longer
 * needed, e.g. the socket has taken them: a later chunk may reuse its memory. Other buffers are ignored,
 * and so is giving the same chunk back twice.
 */
export function giveBack(chunk: Buffer): void {
  const whole = chunk.buffer;
  if (lent.delete(whole) && spare.length < SPARE_LIMIT) spare.push(whole as ArrayBuffer);
}
