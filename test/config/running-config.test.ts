import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { createRunningConfig } from '../../src/config/running-config.js';
import type { Config } from '../../src/config/schema.js';

describe('createRunningConfig', () => {
  const initial = parseConfig({ pop3: { port: 110, idleTimeout: 600 }, limits: { maxConnections: 100 }, log: { level: 'info' } });

  it('lays a Push3 SET over the config in effect, and config$ follows it', () => {
    const running = createRunningConfig(initial);
    const seen: Config[] = [];
    running.config$.subscribe((config) => seen.push(config));
    expect(running.settings.set('idle_timeout', '5')).toEqual({ ok: true, value: '5' });
    expect(running.settings.set('max_connections', '7').ok).toBe(true);
    expect(running.current.pop3.idleTimeout).toBe(5);
    expect(running.current.limits.maxConnections).toBe(7);
    expect(seen.map((config) => config.pop3.idleTimeout)).toEqual([600, 5, 5]);
    // What was loaded is kept apart: a reload is planned against it.
    expect(running.loaded.pop3.idleTimeout).toBe(600);
  });

  it('a reload is a new value: live keys taken, the matching settings set, other keys kept and reported', () => {
    const running = createRunningConfig(initial);
    const plan = running.reload(parseConfig({ pop3: { port: 111, idleTimeout: 30 }, limits: { maxConnections: 100 }, log: { level: 'debug' } }));
    expect(plan.applied).toEqual(['pop3.idleTimeout', 'log.level']);
    expect(plan.needsRestart).toEqual(['pop3.port']);
    expect(running.current.pop3).toEqual({ ...initial.pop3, idleTimeout: 30 });
    expect(running.current.log.level).toBe('debug');
    expect(running.settings.get('idle_timeout')).toBe('30');
    expect(running.settings.get('log_level')).toBe('debug');
  });

  it('a reload keeps a SET value whose key the config file did not change', () => {
    const running = createRunningConfig(initial);
    running.settings.set('max_connections', '7');
    const plan = running.reload(parseConfig({ pop3: { port: 110, idleTimeout: 600 }, limits: { maxConnections: 100 }, log: { level: 'info' } }));
    expect(plan.applied).toEqual([]);
    expect(running.current.limits.maxConnections).toBe(7);
  });
});
