import { describe, expect, it } from 'vitest';
import { allocWithRoom, roomBefore, roomFor } from '../../src/mail/room.js';

describe('room in front of chunks', () => {
  it('is there for a chunk from allocWithRoom and a part from its start, and nowhere else', () => {
    const chunk = allocWithRoom(40, 100);
    expect(chunk.length).toBe(100);
    expect(roomBefore(chunk)).toBe(40);
    expect(roomBefore(chunk.subarray(0, 10))).toBe(40);
    expect(roomBefore(chunk.subarray(1))).toBe(0);
    // Small buffers share Node's pool: the octets before them belong to others.
    expect(roomBefore(Buffer.from('abc'))).toBe(0);
    expect(roomBefore(Buffer.allocUnsafe(10).subarray(5))).toBe(0);
  });

  it('leaves a sixteenth and a little more', () => {
    expect(roomFor(0)).toBe(16);
    expect(roomFor(256 * 1024)).toBe(16 * 1024 + 16);
  });
});
