/**
 * Chunks handed over with free octets in front of them, so that a consumer that makes them longer (the
 * wire encoder adds a CR per bare LF) can do it in place instead of copying each chunk into a new buffer.
 * A chunk made by `allocWithRoom` owns its ArrayBuffer: whoever receives it may overwrite it and the room.
 * Any other buffer has no room (it may share its ArrayBuffer, e.g. Node's pool for small buffers).
 */
const dataStart = new WeakMap<ArrayBufferLike, number>();

/** Room to leave for `octets` of text: wire form adds ~2% to text with bare LF line ends. */
export const roomFor = (octets: number): number => (octets >>> 4) + 16;

/** A new buffer of `octets` with `room` free octets ahead of it in its own ArrayBuffer. */
export function allocWithRoom(room: number, octets: number): Buffer {
  const whole = Buffer.allocUnsafeSlow(room + octets);
  dataStart.set(whole.buffer, room);
  return whole.subarray(room);
}

/** The free octets in front of `chunk`: non-zero only for a chunk from allocWithRoom, or a part from its start. */
export function roomBefore(chunk: Buffer): number {
  return dataStart.get(chunk.buffer) === chunk.byteOffset ? chunk.byteOffset : 0;
}
