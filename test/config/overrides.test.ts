import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { applyOverrides, envOverrides, parseSetFlag, parseValue } from '../../src/config/overrides.js';

describe('parseValue', () => {
  it('takes JSON when the text parses as JSON, else the text', () => {
    expect(parseValue('1111')).toBe(1111);
    expect(parseValue('true')).toBe(true);
    expect(parseValue('["demo","ops"]')).toEqual(['demo', 'ops']);
    expect(parseValue('"007"')).toBe('007');
    expect(parseValue('/var/mail/%u/Maildir')).toBe('/var/mail/%u/Maildir');
    expect(parseValue('')).toBe('');
  });
});

describe('envOverrides', () => {
  it('maps POP3D_<SECTION>_<KEY> to section.camelCaseKey and ignores other variables', () => {
    const overrides = envOverrides({
      POP3D_POP3_PORT: '1111',
      POP3D_MAIL_LOCK_STALE_SECONDS: '45',
      POP3D_LOG_LEVEL: 'debug',
      PATH: '/usr/bin',
      POP3_PORT: '1',
    });
    expect(overrides).toEqual([
      { path: ['log', 'level'], value: 'debug' },
      { path: ['mail', 'lockStaleSeconds'], value: 45 },
      { path: ['pop3', 'port'], value: 1111 },
    ]);
  });

  it('maps a name without a key to a top-level key (POP3D_WORKERS)', () => {
    expect(envOverrides({ POP3D_WORKERS: '2' })).toEqual([{ path: ['workers'], value: 2 }]);
  });

  it.each(['POP3D_', 'POP3D_POP3_', 'POP3D__PORT', 'POP3D_MAIL_LOCK__STALE'])('refuses the malformed name %s', (name) => {
    expect(() => envOverrides({ [name]: '1' })).toThrow(new ConfigError(`environment variable ${name}: expected POP3D_<SECTION>_<KEY>, e.g. POP3D_POP3_PORT`));
  });
});

describe('parseSetFlag', () => {
  it('splits the key path at dots and parses the value', () => {
    expect(parseSetFlag('pop3.port=1111')).toEqual({ path: ['pop3', 'port'], value: 1111 });
    expect(parseSetFlag('mail.maildir=/m/%u=x')).toEqual({ path: ['mail', 'maildir'], value: '/m/%u=x' });
    expect(parseSetFlag('pop3.host=')).toEqual({ path: ['pop3', 'host'], value: '' });
  });

  it.each(['pop3.port', '=1', 'pop3..port=1', '.port=1'])('refuses %s', (text) => {
    expect(() => parseSetFlag(text)).toThrow(ConfigError);
  });
});

describe('applyOverrides', () => {
  it('replaces one key, keeps its siblings, creates missing sections, and leaves the input alone', () => {
    const raw = { pop3: { host: 'h', port: 1 } };
    const out = applyOverrides(raw, [
      { path: ['pop3', 'port'], value: 2 },
      { path: ['log', 'level'], value: 'warn' },
    ]);
    expect(out).toEqual({ pop3: { host: 'h', port: 2 }, log: { level: 'warn' } });
    expect(raw).toEqual({ pop3: { host: 'h', port: 1 } });
  });

  it('refuses to set a key inside something that is not an object', () => {
    expect(() => applyOverrides({ pop3: 5 }, [{ path: ['pop3', 'port'], value: 1 }])).toThrow(
      'invalid config: pop3: expected an object',
    );
  });

  it('the last override of a key wins', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { minLength: 1 }), (ports) => {
        const out = applyOverrides({}, ports.map((value) => ({ path: ['pop3', 'port'], value }))) as { pop3: { port: number } };
        expect(out.pop3.port).toBe(ports.at(-1));
      }),
    );
  });
});
