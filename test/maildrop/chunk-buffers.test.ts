import { describe, expect, it } from 'vitest';
import { allocWithRoom, CHUNK_OCTETS, giveBack, roomBefore, roomFor } from '../../src/maildrop/chunk-buffers.js';

const FULL_ROOM = roomFor(CHUNK_OCTETS);

describe('chunk buffers', () => {
  it('have room in front for a chunk from allocWithRoom and a part from its start, and nowhere else', () => {
    const chunk = allocWithRoom(40, 100);
    expect(chunk.length).toBe(100);
    expect(roomBefore(chunk)).toBe(40);
    expect(roomBefore(chunk.subarray(0, 10))).toBe(40);
    expect(roomBefore(chunk.subarray(1))).toBe(0);
    // Small buffers share Node's pool: the octets before them belong to others.
    expect(roomBefore(Buffer.from('abc'))).toBe(0);
    expect(roomBefore(Buffer.allocUnsafe(10).subarray(5))).toBe(0);
  });

  it('leave a sixteenth and a little more', () => {
    expect(roomFor(0)).toBe(16);
    expect(roomFor(256 * 1024)).toBe(16 * 1024 + 16);
  });

  it('reuse the memory of a full-size chunk given back, once, and only after it was given back', () => {
    const first = allocWithRoom(FULL_ROOM, CHUNK_OCTETS);
    const second = allocWithRoom(FULL_ROOM, CHUNK_OCTETS);
    expect(second.buffer).not.toBe(first.buffer);
    // A part from the start (what the encoder passes on) returns the whole buffer; twice counts once.
    giveBack(first.subarray(0, 10));
    giveBack(first);
    const reused = allocWithRoom(FULL_ROOM, CHUNK_OCTETS);
    expect(reused.buffer).toBe(first.buffer);
    expect(roomBefore(reused)).toBe(FULL_ROOM);
    expect(allocWithRoom(FULL_ROOM, CHUNK_OCTETS).buffer).not.toBe(first.buffer);
  });

  it('ignore buffers they did not lend, and do not pool smaller chunks', () => {
    const small = allocWithRoom(roomFor(1000), 1000);
    giveBack(small);
    giveBack(Buffer.allocUnsafeSlow(FULL_ROOM + CHUNK_OCTETS));
    expect(allocWithRoom(roomFor(1000), 1000).buffer).not.toBe(small.buffer);
    const fresh = allocWithRoom(FULL_ROOM, CHUNK_OCTETS);
    expect(fresh.buffer.byteLength).toBe(FULL_ROOM + CHUNK_OCTETS);
  });
});
