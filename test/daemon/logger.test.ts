import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const LOGGER = resolve(import.meta.dirname, '../../dist/daemon/logger.js');

/**
 * Runs `body` in a child process with `logger` made by createLogger at `info`; resolves with its stdout,
 * and when each chunk of it arrived (ms after start).
 */
function run(body: string): Promise<{ out: string; chunks: { at: number; text: string }[] }> {
  const script = `const { createLogger } = await import(${JSON.stringify(LOGGER)});
const logger = createLogger({ log: { level: 'info' } });
${body}`;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const started = Date.now();
    const chunks: { at: number; text: string }[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push({ at: Date.now() - started, text: chunk.toString() }));
    child.on('error', fail);
    child.on('close', () => done({ out: chunks.map((c) => c.text).join(''), chunks }));
  });
}

const lines = (out: string) => out.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

describe('the daemon log', () => {
  it('writes a lone line within a fraction of a second, without waiting for more', async () => {
    const { out, chunks } = await run(`logger.info({ event: 'alone' }, 'one line'); setTimeout(() => process.exit(0), 1500);`);
    expect(lines(out)).toMatchObject([{ event: 'alone', service: 'pop3d' }]);
    expect(chunks[0]!.at).toBeLessThan(1200);
  });

  it('writes what it gathered when the process exits', async () => {
    const { out } = await run(`for (let i = 0; i < 3; i += 1) logger.info({ event: 'e', i }); process.exit(0);`);
    expect(lines(out).map((line) => line.i)).toEqual([0, 1, 2]);
  });

  it('gathers many lines into few writes of whole lines, in order', async () => {
    const { out, chunks } = await run(
      `for (let i = 0; i < 2000; i += 1) logger.info({ event: 'e', i, pad: 'x'.repeat(i % 300) }); setTimeout(() => process.exit(0), 300);`,
    );
    expect(lines(out).map((line) => line.i)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    // A pipe may merge writes into one read, never split one: every chunk read ends a line.
    for (const { text } of chunks) expect(text.endsWith('\n')).toBe(true);
    expect(chunks.length).toBeLessThan(2000 / 5);
  });
});
