import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addChunk, emptyTally, parseNameSizes, wireSize, wireSizeOfFile } from '../../src/sizes/wire-size.js';
import { put, tempDir } from '../support/temp-dir.js';

function sizeOf(...chunks: string[]): number {
  return wireSize(chunks.reduce((tally, chunk) => addChunk(tally, Buffer.from(chunk, 'latin1')), emptyTally));
}

/** The definition, spelled out on strings. */
function reference(content: string): number {
  if (content === '') return 0;
  const crlf = content.replace(/\r?\n/gu, '\r\n');
  return crlf.length + (content.endsWith('\n') ? 0 : 2);
}

describe('wire size', () => {
  it.each([
    ['empty', '', 0],
    ['LF lines', 'a\nb\n', 6],
    ['CRLF lines', 'a\r\nb\r\n', 6],
    ['mixed', 'a\r\nb\nc\n', 9],
    ['no final newline', 'a\nb', 6],
    ['lone CR kept', 'a\rb\n', 5],
    ['ends with CR', 'a\r', 4],
    ['only LF', '\n', 2],
  ])('%s', (_, content, expected) => {
    expect(sizeOf(content)).toBe(expected);
    expect(reference(content)).toBe(expected);
  });

  it('carries a CR across a chunk border', () => {
    expect(sizeOf('a\r', '\nb\r\n')).toBe(sizeOf('a\r\nb\r\n'));
    expect(sizeOf('a\r', '', '\n')).toBe(3);
  });

  it('does not depend on chunking, and matches the definition', () => {
    const content = fc.string({ unit: fc.constantFrom('a', '\r', '\n', '.'), maxLength: 40 });
    fc.assert(
      fc.property(content, fc.array(fc.nat(40)), (text, cuts) => {
        const points = [...new Set(cuts.map((cut) => Math.min(cut, text.length)))].sort((a, b) => a - b);
        const chunks = [0, ...points].map((start, i) => text.slice(start, [...points, text.length][i]));
        expect(sizeOf(...chunks)).toBe(reference(text));
      }),
    );
  });

  it('streams a file', async () => {
    const dir = await tempDir();
    const big = 'x'.repeat(100_000) + '\n';
    const path = await put(dir, 'message', big.repeat(3));
    expect(await wireSizeOfFile(path)).toBe(3 * (big.length + 1));
    expect(await wireSizeOfFile(await put(dir, 'empty', ''))).toBe(0);
  });
});

describe('parseNameSizes', () => {
  it('reads S= and W=', () => {
    expect(parseNameSizes('1700000000.M1P2.host,S=120,W=124')).toEqual({ stored: 120, wire: 124 });
    expect(parseNameSizes('1700000000.M1P2.host,W=7')).toEqual({ wire: 7 });
  });

  it('ignores names without them, and look-alikes', () => {
    expect(parseNameSizes('1700000000.M1P2.host')).toEqual({});
    expect(parseNameSizes('1700000000.M1P2.host,W=12x')).toEqual({});
    expect(parseNameSizes('1700000000.W=5.host')).toEqual({});
  });
});
