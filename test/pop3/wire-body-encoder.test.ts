import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocWithRoom } from '../../src/maildrop/chunk-buffers.js';
import { KernelWireBodyEncoder, newBodyEncoder, type BodyEncoder } from '../../src/pop3/kernel-wire-body-encoder.js';
import { WireBodyEncoder } from '../../src/pop3/wire-body-encoder.js';
import { loadWireBodyKernel, SLICE_OCTETS } from '../../src/pop3/wire-body-kernel.js';

const kernel = loadWireBodyKernel();
const encoders: [string, () => BodyEncoder][] = [
  ['WireBodyEncoder', () => new WireBodyEncoder()],
  ['KernelWireBodyEncoder', () => new KernelWireBodyEncoder(kernel!)],
];

const b = (text: string): Buffer => Buffer.from(text, 'latin1');

/** The wire form by the book, on the whole text at once. */
const reference = (text: string): string => {
  const crlf = text.replace(/\r?\n/g, '\r\n');
  const stuffed = crlf.replace(/(^|\n)\./g, '$1..');
  return stuffed === '' || stuffed.endsWith('\r\n') ? `${stuffed}.\r\n` : `${stuffed}\r\n.\r\n`;
};

/** `text` in a buffer handed over with `room` free octets in front. */
function withRoom(text: string, room: number): Buffer {
  const chunk = allocWithRoom(room, text.length);
  chunk.write(text, 'latin1');
  return chunk;
}

/**
 * Encodes `text` cut into chunks of the given sizes (cycled), each with `room` octets in front if given;
 * returns the outputs.
 */
function encodeInChunks(
  text: string,
  sizes: number[],
  room?: number,
  encoder: BodyEncoder = new WireBodyEncoder(),
): { outputs: Buffer[]; chunks: Buffer[] } {
  const outputs: Buffer[] = [];
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < text.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length] ?? text.length);
    const part = text.slice(at, at + size);
    chunks.push(room === undefined ? b(part) : withRoom(part, room));
    at += size;
  }
  for (const chunk of chunks) encoder.encode(chunk, (out) => outputs.push(out));
  outputs.push(encoder.end());
  return { outputs, chunks };
}

const wire = (outputs: Buffer[]): string => Buffer.concat(outputs).toString('latin1');

describe.each(encoders)('%s', (_, newEncoder) => {
  const inChunks = (text: string, sizes: number[], room?: number) => encodeInChunks(text, sizes, room, newEncoder());

  it('matches the reference for any text and chunking, including dense line ends and dots', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', '.', '\r', '\n', '\n', ' '), maxLength: 3000 }),
        fc.array(fc.integer({ min: 1, max: 4000 }), { minLength: 1, maxLength: 5 }),
        (text, sizes) => {
          expect(wire(inChunks(text, sizes).outputs)).toBe(reference(text));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('expands chunks handed over with room where they are, whatever the room, like any other chunk', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', '.', '\r', '\n', '\n', ' '), maxLength: 2000 }),
        fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 300 }),
        (text, sizes, room) => {
          expect(wire(inChunks(text, sizes, room).outputs)).toBe(reference(text));
        },
      ),
      { numRuns: 300 },
    );
    const chunk = withRoom('a\nb\n', 16);
    const outputs: Buffer[] = [];
    newEncoder().encode(chunk, (out) => outputs.push(out));
    expect(outputs).toHaveLength(1);
    expect(outputs[0]!.buffer).toBe(chunk.buffer);
    expect(outputs[0]!.toString('latin1')).toBe('a\r\nb\r\n');
  });

  it('expands a chunk whose insertions outgrow the guessed room, still exactly', () => {
    const text = `${'\n.'.repeat(5000)}end`;
    expect(wire(inChunks(text, [text.length]).outputs)).toBe(reference(text));
    expect(wire(inChunks(text, [text.length], 100).outputs)).toBe(reference(text));
  });

  it('passes a chunk that needs no change through as the same buffer', () => {
    const encoder = newEncoder();
    const chunk = b('Subject: x\r\n\r\nbody . line\r\n');
    const outputs: Buffer[] = [];
    encoder.encode(chunk, (out) => outputs.push(out));
    expect(outputs).toHaveLength(1);
    expect(outputs[0]).toBe(chunk);
  });

  it('does not modify the chunks it is given', () => {
    const text = '.a\nb\n.c\r\nd\n';
    const { chunks } = inChunks(text, [3]);
    expect(Buffer.concat(chunks).toString('latin1')).toBe(text);
  });

  it('carries the last octet across chunk borders: CR then LF, LF then dot, an unterminated last line', () => {
    expect(wire(inChunks('a\r\nb', [2]).outputs)).toBe('a\r\nb\r\n.\r\n');
    expect(wire(inChunks('a\n.b\n', [2]).outputs)).toBe('a\r\n..b\r\n.\r\n');
    expect(wire(inChunks('', [1]).outputs)).toBe('.\r\n');
  });
});

describe('KernelWireBodyEncoder', () => {
  it('is the encoder replies use here', () => {
    expect(kernel).toBeDefined();
    expect(newBodyEncoder()).toBeInstanceOf(KernelWireBodyEncoder);
  });

  it('encodes every 16-octet block alike: line ends and dots at each position, around block borders', () => {
    for (let at = 0; at < 40; at++)
      for (const insert of ['\n', '\r\n', '\n.', '\r', '.\n', '\n\n..']) {
        const text = `${'x'.repeat(at)}${insert}${'y'.repeat(40 - at)}`;
        expect(wire(encodeInChunks(text, [text.length], undefined, newBodyEncoder()).outputs)).toBe(reference(text));
      }
  });

  it('encodes a chunk larger than its memory slice by slice, each in a buffer of its own', () => {
    const text = `${'.line\n'.repeat(SLICE_OCTETS / 6 + 1000)}.\r\nend\r`;
    const chunk = withRoom(text, 64 * 1024);
    const outputs: Buffer[] = [];
    const encoder = newBodyEncoder();
    encoder.encode(chunk, (out) => outputs.push(out));
    outputs.push(encoder.end());
    expect(outputs.length).toBeGreaterThan(2);
    expect(outputs.every((out) => out.buffer !== chunk.buffer)).toBe(true);
    expect(wire(outputs)).toBe(reference(text));
  });

  it('matches the reference on long random texts of realistic lines, in chunks up to a slice', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('', '.', '..'), fc.nat(120), fc.constantFrom('\n', '\r\n', '\r', '')), { maxLength: 400 }),
        fc.array(fc.integer({ min: 1, max: SLICE_OCTETS }), { minLength: 1, maxLength: 3 }),
        (lines, sizes) => {
          const text = lines.map(([start, length, end]) => `${start}${'w'.repeat(length)}${end}`).join('');
          expect(wire(encodeInChunks(text, sizes, 64, newBodyEncoder()).outputs)).toBe(reference(text));
        },
      ),
      { numRuns: 200 },
    );
  });
});
