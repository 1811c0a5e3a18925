import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { reportDroppedLines } from '../../src/daemon/log-drops.js';

/** A logger writing JSON lines into `lines`, and a stand-in for the gathering destination's events. */
function setUp(): { lines: Record<string, unknown>[]; destination: EventEmitter } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const destination = new EventEmitter();
  reportDroppedLines(destination, pino({ base: undefined }, sink));
  return { lines, destination };
}

const flushed = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('reportDroppedLines', () => {
  it('logs how many lines were dropped once the destination has caught up, then counts afresh', async () => {
    const { lines, destination } = setUp();
    destination.emit('drop', '{"a":1}\n');
    destination.emit('drop', '{"a":2}\n');
    destination.emit('drop', '{"a":3}\n');
    await flushed();
    expect(lines).toEqual([]);
    destination.emit('drain');
    await flushed();
    expect(lines).toEqual([expect.objectContaining({ event: 'log-lines-dropped', lines: 3, level: 40 })]);
    destination.emit('drain');
    destination.emit('drop', '{"a":4}\n');
    destination.emit('drain');
    await flushed();
    expect(lines.map((line) => line.lines)).toEqual([3, 1]);
  });

  it('says nothing while nothing is dropped', async () => {
    const { lines, destination } = setUp();
    destination.emit('drain');
    destination.emit('drain');
    await flushed();
    expect(lines).toEqual([]);
  });
});
