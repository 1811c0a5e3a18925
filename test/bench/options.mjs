// Command-line options shared by the bench scripts.
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Fixture sizes: see fixtures.mjs. */
export const DEFAULT_PARAMS = Object.freeze({
  users: 64,
  messages: 20,
  size: 10_240,
  bigMB: 100,
  idle: 10_000,
  huge: 100_000,
  hugeSize: 2_000,
});

export const defaultDir = () => join(tmpdir(), 'pop3d-bench');

/** Fixture size options (parseArgs specs). */
export const fixtureOptions = {
  users: { type: 'string' },
  messages: { type: 'string' },
  size: { type: 'string' },
  'big-mb': { type: 'string' },
  idle: { type: 'string' },
  huge: { type: 'string' },
  'huge-size': { type: 'string' },
};

const int = (text, fallback) => {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`not a non-negative integer: ${text}`);
  return value;
};

export function fixtureParams(values) {
  return {
    users: int(values.users, DEFAULT_PARAMS.users),
    messages: int(values.messages, DEFAULT_PARAMS.messages),
    size: int(values.size, DEFAULT_PARAMS.size),
    bigMB: int(values['big-mb'], DEFAULT_PARAMS.bigMB),
    idle: int(values.idle, DEFAULT_PARAMS.idle),
    huge: int(values.huge, DEFAULT_PARAMS.huge),
    hugeSize: int(values['huge-size'], DEFAULT_PARAMS.hugeSize),
  };
}

export { int };
