import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLiveSettings, type Tunables } from '../../src/config/live-settings.js';
import { parseConfig } from '../../src/config/load.js';

describe('live settings', () => {
  it('start from the config: connection limit, idle timeout and log level', () => {
    const settings = createLiveSettings(
      parseConfig({ pop3: { idleTimeout: 900 }, log: { level: 'warn' }, limits: { maxConnections: 50 } }),
    );
    expect(settings.current).toEqual({ maxConnections: 50, idleTimeoutSeconds: 900, logLevel: 'warn' });
    expect(['max_connections', 'idle_timeout', 'log_level'].map((key) => settings.get(key))).toEqual(['50', '900', 'warn']);
    expect(settings.get('nope')).toBeUndefined();
  });

  it('validate every set; a refused value changes nothing', () => {
    const settings = createLiveSettings(parseConfig({}));
    for (const [key, value] of [
      ['max_connections', '1.5'],
      ['max_connections', '1000001'],
      ['max_connections', ''],
      ['idle_timeout', '0'],
      ['idle_timeout', '1e3'],
      ['idle_timeout', '2147484'],
      ['log_level', 'verbose'],
      ['unknown', '1'],
    ] as const) {
      expect(settings.set(key, value)).toMatchObject({ ok: false });
    }
    expect(settings.current).toEqual({ maxConnections: 1000, idleTimeoutSeconds: 600, logLevel: 'info' });
    expect(settings.set('IDLE_TIMEOUT', '0.5')).toEqual({ ok: true, value: '0.5' });
    expect(settings.set('max_connections', '1000000')).toEqual({ ok: true, value: '1000000' });
    expect(settings.set('log_level', 'Trace')).toEqual({ ok: true, value: 'trace' });
  });

  it('publish the current value, then each real change, to every reader', () => {
    const settings = createLiveSettings(parseConfig({}));
    const seen: Tunables[] = [];
    const subscription = settings.values$.subscribe((value) => seen.push(value));
    settings.set('max_connections', '5');
    settings.set('max_connections', '5'); // no change, no emission
    settings.set('log_level', 'error');
    subscription.unsubscribe();
    expect(seen.map((t) => [t.maxConnections, t.logLevel])).toEqual([
      [1000, 'info'],
      [5, 'info'],
      [5, 'error'],
    ]);
  });
});

describe('the README table of live settings', () => {
  /** The rows of the table after "**Live settings**": key -> the text of its "Initial value" column. */
  function documentedInitialValues(): Map<string, string> {
    const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('**Live settings**')).split('\n\n')[1]!;
    const rows = table.split('\n').slice(2);
    return new Map(rows.map((row) => {
      const cells = row.split('|').map((cell) => cell.trim().replaceAll('`', ''));
      return [cells[1]!, cells[3]!];
    }));
  }

  it('names, for every setting, the config key GET shows at start', () => {
    const values = { pop3: { idleTimeout: 901 }, log: { level: 'warn' }, limits: { maxConnections: 57 } };
    const settings = createLiveSettings(parseConfig(values));
    const documented = documentedInitialValues();
    expect([...documented.keys()].sort()).toEqual(['idle_timeout', 'log_level', 'max_connections']);
    for (const [key, initial] of documented) {
      const [section, name] = initial.split('.') as [keyof typeof values, string];
      expect(String((values[section] as Record<string, unknown> | undefined)?.[name]), key).toBe(settings.get(key));
    }
  });
});
