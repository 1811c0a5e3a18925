import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, parseCommandLine } from '../../src/cli/options.js';

describe('parseCommandLine', () => {
  it('takes the options before or after the command, and --set repeatedly in order', () => {
    const parsed = parseCommandLine(['--set', 'a.b=1', 'user', '--config', 'c.json', 'add', 'bob', '--set', 'a.b=2']);
    expect(parsed).toEqual({
      command: 'user',
      args: ['add', 'bob'],
      configFile: 'c.json',
      sets: ['a.b=1', 'a.b=2'],
      help: false,
      version: false,
    });
  });

  it('defaults to the embedded config/default.json', () => {
    const parsed = parseCommandLine(['serve']);
    expect(parsed.configFile).toBe(DEFAULT_CONFIG);
    expect(parsed.configFile).toMatch(/\/config\/default\.json$/);
    expect(existsSync(parsed.configFile)).toBe(true);
  });

  it('an unknown option is a usage error (64)', () => {
    expect(() => parseCommandLine(['deliver', '--password', 'x'])).toThrow(
      expect.objectContaining({ name: 'CliError', exitCode: 64, message: expect.stringContaining("'--password'") }),
    );
  });
});
