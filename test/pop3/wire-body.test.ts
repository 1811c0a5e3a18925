import fc from 'fast-check';
import { marbles } from 'rxjs-marbles';
import { from, lastValueFrom, map, reduce } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { headerAndLines, toWireBody } from '../../src/pop3/wire-body.js';
import { wireSize } from '../support/memory-ports.js';

const b = (text: string): Buffer => Buffer.from(text, 'latin1');

/** Encodes `chunks` and returns the whole output as one string. */
function encode(chunks: string[], cut?: number): Promise<string> {
  const source = from(chunks.map(b));
  const cutSource = cut === undefined ? source : source.pipe(headerAndLines(cut));
  return lastValueFrom(
    cutSource.pipe(
      toWireBody(),
      map((chunk) => chunk.toString('latin1')),
      reduce((all, chunk) => all + chunk, ''),
    ),
  );
}

/** Splits text at the given cut points. */
function split(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((x, y) => x - y);
  const parts: string[] = [];
  let at = 0;
  for (const point of points) {
    parts.push(text.slice(at, point));
    at = point;
  }
  parts.push(text.slice(at));
  return parts;
}

describe('byte-stuffing operator', () => {
  it(
    'stuffs dots and normalises line ends across chunk borders, then terminates',
    marbles((m) => {
      const source = m.cold('a-b-c-|', { a: b('one\n.'), b: b('dot\r'), c: b('\n..two') });
      const expected = m.cold('a-b-c-(t|)', {
        a: b('one\r\n..'),
        b: b('dot\r'),
        c: b('\n...two'),
        t: b('\r\n.\r\n'),
      });
      m.expect(source.pipe(toWireBody())).toBeObservable(expected);
    }),
  );

  it(
    'an empty message is just the terminator',
    marbles((m) => {
      m.expect(m.cold<Buffer>('|').pipe(toWireBody())).toBeObservable('(t|)', { t: b('.\r\n') });
    }),
  );

  it('cuts TOP after the header and n body lines, wherever the chunks split', async () => {
    expect(await encode(['Subject: x\r', '\n', '\r', '\nl1\nl2\nl3\n'], 2)).toBe('Subject: x\r\n\r\nl1\r\nl2\r\n.\r\n');
    expect(await encode(['A: 1\n\n'], 0)).toBe('A: 1\r\n\r\n.\r\n');
    expect(await encode(['A: 1\nB: 2\n'], 3)).toBe('A: 1\r\nB: 2\r\n.\r\n');
  });

  it('for any bytes and any chunking: un-stuffing gives the CRLF-normalised message, of the advertised size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: fc.constantFrom('a', '.', '\r', '\n', 'x', ' '), maxLength: 200 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (text, cuts) => {
          const wire = await encode(split(text, cuts));
          expect(wire.endsWith('.\r\n')).toBe(true);
          const body = wire.slice(0, -3);
          const lines = body === '' ? [] : body.slice(0, -2).split('\r\n');
          // Bare CRs stay as they are; every LF gets its CR.
          for (const line of lines) expect(line === '.' ).toBe(false);
          const unstuffed = lines.map((line) => (line.startsWith('.') ? line.slice(1) : line));
          const normalised = text.replace(/\r?\n/g, '\r\n');
          const expected = normalised === '' ? '' : normalised.endsWith('\r\n') ? normalised : `${normalised}\r\n`;
          expect(unstuffed.map((line) => `${line}\r\n`).join('')).toBe(expected);
          expect(Buffer.byteLength(expected, 'latin1')).toBe(wireSize(text));
        },
      ),
      { numRuns: 500 },
    );
  });
});
