import { roomBefore } from '../maildrop/chunk-buffers.js';
import { loadWireBodyKernel, OUTPUT_AT, SLICE_OCTETS, type WireBodyKernel } from './wire-body-kernel.js';
import { WireBodyEncoder } from './wire-body-encoder.js';

const LF = 0x0a;
const TERMINATOR = Buffer.from('.\r\n');
const CRLF_TERMINATOR = Buffer.from('\r\n.\r\n');

/** A message body into its wire form, chunk by chunk, then the terminator (see toWireBody). */
export interface BodyEncoder {
  encode(chunk: Buffer, emit: (out: Buffer) => void): void;
  end(): Buffer;
}

/**
 * WireBodyEncoder's job done by the WebAssembly kernel (see wire-body-kernel.ts): each chunk is copied
 * into the kernel's memory, encoded there, and copied out, into the chunk's own memory when it came with
 * enough room in front (see chunk-buffers.ts), else into one new buffer. A chunk that needs no change is
 * passed on as it is. Two copies at memory speed cost far less than the per-line work they replace.
 */
export class KernelWireBodyEncoder implements BodyEncoder {
  readonly #kernel: WireBodyKernel;
  /** The last octet of the body so far; LF before the first, so that a leading dot is stuffed. */
  #last = LF;

  constructor(kernel: WireBodyKernel) {
    this.#kernel = kernel;
  }

  encode(chunk: Buffer, emit: (out: Buffer) => void): void {
    if (chunk.length <= SLICE_OCTETS) {
      if (chunk.length > 0) emit(this.#slice(chunk, true) ?? chunk);
      return;
    }
    // Larger than the kernel's memory takes: slice by slice, each into a buffer of its own (a chunk
    // with room may be passed on in one part only).
    for (let from = 0; from < chunk.length; from += SLICE_OCTETS) {
      const slice = chunk.subarray(from, from + SLICE_OCTETS);
      emit(this.#slice(slice, false) ?? Buffer.from(slice));
    }
  }

  end(): Buffer {
    return this.#last === LF ? TERMINATOR : CRLF_TERMINATOR;
  }

  /** The wire form of `chunk` (at most SLICE_OCTETS), or undefined when it is the chunk itself. */
  #slice(chunk: Buffer, inPlace: boolean): Buffer | undefined {
    const { memory, encode } = this.#kernel;
    memory.set(chunk, 0);
    const octets = encode(0, chunk.length, OUTPUT_AT, this.#last) - OUTPUT_AT;
    this.#last = chunk[chunk.length - 1]!;
    if (octets === chunk.length) return undefined; // only insertions: same length, same octets
    const room = inPlace ? roomBefore(chunk) : 0;
    const out =
      room > 0 && room + chunk.length >= octets
        ? Buffer.from(chunk.buffer, chunk.byteOffset - room, octets)
        : Buffer.allocUnsafe(octets);
    out.set(memory.subarray(OUTPUT_AT, OUTPUT_AT + octets));
    return out;
  }
}

const kernel = loadWireBodyKernel();

/** The kernel's encoder where WebAssembly SIMD is available (Node 16.4 and later), else the JavaScript one. */
export function newBodyEncoder(): BodyEncoder {
  return kernel === undefined ? new WireBodyEncoder() : new KernelWireBodyEncoder(kernel);
}
