import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LineGuard } from '../../src/net/line-guard.js';
import { ENDLESS_LINE_OCTETS, readLines, type InputLine } from '../../src/net/lines.js';

const MAX = 255;

/** Feeds chunks through a guard; returns what it passed on (as text) and whether it called the line endless. */
function guard(chunks: (string | Buffer)[], endlessOctets = 1000): { out: string; endless: boolean } {
  const lineGuard = new LineGuard(MAX, endlessOctets);
  const out = chunks.map((chunk) => lineGuard.feed(Buffer.from(chunk))?.toString('latin1') ?? '').join('');
  return { out, endless: lineGuard.endless };
}

describe('LineGuard', () => {
  it('passes whole lines as they are, a line of the limit plus CR included', () => {
    const line = `${'a'.repeat(MAX)}\r\n`;
    expect(guard(['USER a\r\nPASS b\r\n', line]).out).toBe(`USER a\r\nPASS b\r\n${line}`);
    expect(guard(['US', 'ER a\r', '\n']).out).toBe('USER a\r\n');
  });

  it('reports a line as too long as soon as it passes the limit, without waiting for its end', () => {
    const { out } = guard(['NOOP\r\n', 'x'.repeat(MAX + 2)]);
    const lines = out.split('\n');
    expect(lines[0]).toBe('NOOP\r');
    expect(lines[1]!.length).toBeGreaterThan(MAX);
    expect(lines).toHaveLength(3); // the stand-in is a whole line: the splitter sees it now
  });

  it('answers a long line once, drops the rest of it, and goes on after its end', () => {
    const { out, endless } = guard(['x'.repeat(300), 'y'.repeat(300), 'z\r\nNOOP\r\n']);
    const lines = out.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^x+$/);
    expect(lines[1]).toBe('NOOP\r');
    expect(endless).toBe(false);
  });

  it('calls a too-long line endless past the bound, and passes nothing after it', () => {
    const { out, endless } = guard(['x'.repeat(600), 'x'.repeat(600), 'x'.repeat(600), '\r\nNOOP\r\n'], 1000);
    expect(endless).toBe(true);
    expect(out.split('\n')).toHaveLength(2); // the stand-in only
  });

  it('answers a long line arriving two octets at a time the moment it passes the limit', () => {
    const lineGuard = new LineGuard(MAX, ENDLESS_LINE_OCTETS);
    const feed = (chunk: Buffer): Buffer | undefined => lineGuard.feed(chunk);
    const outs = Array.from({ length: 200 }, () => feed(Buffer.from('ab')));
    expect(outs.findIndex((out) => out !== undefined)).toBe(128); // octets 257 and 258
    expect(outs.filter((out) => out !== undefined)).toHaveLength(1);
    expect(feed(Buffer.from('\n'))).toBeUndefined();
  });
});

describe('readLines', () => {
  it('delivers too-long at once, then endless last of all and stops reading', async () => {
    const input = new PassThrough();
    const seen: InputLine['kind'][] = [];
    const done = new Promise<void>((resolve) =>
      readLines(input, MAX).lines$.subscribe({ next: (line) => seen.push(line.kind), complete: resolve }),
    );
    input.write('NOOP\r\n');
    input.write(Buffer.alloc(1000, 0x41));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['line', 'too-long']);
    input.write(Buffer.alloc(ENDLESS_LINE_OCTETS, 0x41));
    await done;
    expect(seen).toEqual(['line', 'too-long', 'endless']);
    expect(input.listenerCount('data')).toBe(0);
  });
});
