import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { CliError, describeFailure } from '../../src/cli/exit-codes.js';

describe('describeFailure', () => {
  it('keeps the exit code of a CliError, maps a ConfigError to 78 and anything else to 1', () => {
    expect(describeFailure(new CliError('no such user', 67))).toEqual({ message: 'no such user', exitCode: 67 });
    expect(describeFailure(new ConfigError('invalid config: pop3.port: too big'))).toEqual({
      message: 'invalid config: pop3.port: too big',
      exitCode: 78,
    });
    expect(describeFailure(new Error('EIO: i/o error'))).toEqual({ message: 'EIO: i/o error', exitCode: 1 });
    expect(describeFailure('thrown text')).toEqual({ message: 'thrown text', exitCode: 1 });
  });

  it('folds a message of several lines into one', () => {
    expect(describeFailure(new Error('first\n  second\r\nthird\n')).message).toBe('first; second; third');
  });
});
