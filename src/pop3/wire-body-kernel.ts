/**
 * The wire form's inner loop (RFC 1939 §3: a CR before each bare LF, a dot before each line that starts
 * with one) as a few dozen WebAssembly instructions with 16-octet vector compares. In JavaScript each
 * line costs two native calls (a search for the LF, a move of the line); here a line costs about one
 * 16-octet load, compare and store per 16 octets, so the encoding of 100 MB takes a fraction of the CPU.
 * Written out by hand, since it is this small and the project has no WebAssembly toolchain.
 *
 * encode(src, end, dst, before) -> dst end: the wire form of memory[src, end) at memory[dst..], `before`
 * being the octet ahead of src (LF at the start of a body). The output may take up to 2 × (end - src)
 * octets, and the loop stores 16 octets at a time: leave 16 more free after it.
 *
 *   loop:
 *     if src >= end: return dst
 *     if before == LF and mem[src] == '.': mem[dst++] = '.'
 *     if src + 16 <= end:
 *       v = load16(src); store16(dst, v); m = bitmask(v == LF)
 *       if m == 0: src += 16; dst += 16; before = mem[src - 1]; continue
 *       k = ctz(m)                       // the first LF, at src + k; what is before it is stored
 *     else:
 *       b = mem[src]; mem[dst] = b
 *       if b != LF: src++; dst++; before = b; continue
 *       k = 0
 *     src += k; dst += k
 *     if k > 0: before = mem[src - 1]
 *     if before != CR: mem[dst++] = CR
 *     mem[dst++] = LF; src++; before = LF
 */

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;

// Locals: the four parameters, then m, k, b (i32) and v (v128).
const [SRC, END, DST, BEFORE, M, K, B, V] = [0, 1, 2, 3, 4, 5, 6, 7];

// Opcodes used (WebAssembly core spec §5.4 and the fixed-width SIMD proposal).
const get = (local: number) => [0x20, local];
const set = (local: number) => [0x21, local];
const i32 = (value: number) => [0x41, value]; // all constants here are < 64: one LEB128 octet
const load8 = [0x2d, 0x00, 0x00];
const store8 = [0x3a, 0x00, 0x00];
const [EQ, NE, GE_U, LE_U, CTZ, ADD, SUB, AND, EQZ] = [0x46, 0x47, 0x4f, 0x4d, 0x68, 0x6a, 0x6b, 0x71, 0x45];
const [BLOCK, LOOP, IF, ELSE, END_, BR, BR_IF, VOID] = [0x02, 0x03, 0x04, 0x05, 0x0b, 0x0c, 0x0d, 0x40];
const v128load = [0xfd, 0x00, 0x00, 0x00];
const v128store = [0xfd, 0x0b, 0x00, 0x00];
const [I8X16_SPLAT, I8X16_EQ, I8X16_BITMASK] = [
  [0xfd, 0x0f],
  [0xfd, 0x23],
  [0xfd, 0x64],
];
/** local += what `amount` pushes. */
const bump = (local: number, amount: number[]) => [...get(local), ...amount, ADD, ...set(local)];
/** mem[dst++] = what `value` pushes. */
const put = (value: number[]) => [...get(DST), ...value, ...store8, ...bump(DST, i32(1))];
/** before = mem[src - 1]. */
const octetBefore = [...get(SRC), ...i32(1), SUB, ...load8, ...set(BEFORE)];

// The loop above, instruction by instruction. Branch depths: `loop` is 0 and the `block` around it 1,
// one more inside each `if`.
const body = [
  BLOCK, VOID,
  LOOP, VOID,
  ...get(SRC), ...get(END), GE_U, BR_IF, 1, // src >= end: done
  ...get(BEFORE), ...i32(LF), EQ, ...get(SRC), ...load8, ...i32(DOT), EQ, AND, IF, VOID, // a line starts with '.'
  ...put(i32(DOT)),
  END_,
  ...get(SRC), ...i32(16), ADD, ...get(END), LE_U, IF, VOID, // 16 octets left: a vector step
  ...get(SRC), ...v128load, ...set(V),
  ...get(DST), ...get(V), ...v128store,
  ...get(V), ...i32(LF), ...I8X16_SPLAT, ...I8X16_EQ, ...I8X16_BITMASK, ...set(M),
  ...get(M), EQZ, IF, VOID, // no LF among them
  ...bump(SRC, i32(16)), ...bump(DST, i32(16)), ...octetBefore,
  BR, 2,
  END_,
  ...get(M), CTZ, ...set(K),
  ELSE, // fewer: one octet
  ...get(SRC), ...load8, ...set(B),
  ...get(DST), ...get(B), ...store8,
  ...get(B), ...i32(LF), NE, IF, VOID,
  ...bump(SRC, i32(1)), ...bump(DST, i32(1)), ...get(B), ...set(BEFORE),
  BR, 2,
  END_,
  ...i32(0), ...set(K),
  END_,
  ...bump(SRC, get(K)), ...bump(DST, get(K)), // at the LF
  ...get(K), IF, VOID, ...octetBefore, END_,
  ...get(BEFORE), ...i32(CR), NE, IF, VOID, ...put(i32(CR)), END_,
  ...put(i32(LF)), ...bump(SRC, i32(1)), ...i32(LF), ...set(BEFORE),
  BR, 0,
  END_,
  END_,
  ...get(DST),
  END_,
];

const leb = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...leb(n >>> 7)]);
const section = (id: number, content: number[]) => [id, ...leb(content.length), ...content];
const name = (text: string) => [text.length, ...Buffer.from(text)];

/** Pages of 64 KiB: input and output areas for a slice (see SLICE_OCTETS) and the 16 octets after. */
const PAGES = 16;
/** The most octets one call encodes: the input area, and half the output area. */
export const SLICE_OCTETS = 256 * 1024;
/** Where the output area starts. */
export const OUTPUT_AT = SLICE_OCTETS;

function moduleBytes(): Uint8Array {
  const locals = [0x02, 0x03, 0x7f, 0x01, 0x7b]; // 3 × i32, 1 × v128
  const code = [...locals, ...body];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [0x01, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7f]), // (i32 × 4) -> i32
    ...section(3, [0x01, 0x00]),
    ...section(5, [0x01, 0x00, PAGES]),
    ...section(7, [0x02, ...name('encode'), 0x00, 0x00, ...name('memory'), 0x02, 0x00]),
    ...section(10, [0x01, ...leb(code.length), ...code]),
  ]);
}

export interface WireBodyKernel {
  /** The module's memory: the input goes at 0, the output comes at OUTPUT_AT. It never grows. */
  readonly memory: Uint8Array;
  encode(src: number, end: number, dst: number, before: number): number;
}

/** The little of the WebAssembly API used here (the project's type libraries do not declare it). */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

/** The kernel, or undefined where WebAssembly or its SIMD instructions are not available. */
export function loadWireBodyKernel(): WireBodyKernel | undefined {
  const wasm = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  try {
    const bytes = moduleBytes();
    if (wasm === undefined || !wasm.validate(bytes)) return undefined;
    const { exports } = new wasm.Instance(new wasm.Module(bytes));
    const memory = exports.memory as { buffer: ArrayBuffer };
    return { memory: new Uint8Array(memory.buffer), encode: exports.encode as WireBodyKernel['encode'] };
  } catch {
    return undefined;
  }
}
