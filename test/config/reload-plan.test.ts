import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { planReload } from '../../src/config/reload-plan.js';

describe('planReload', () => {
  const running = parseConfig({ pop3: { port: 110, idleTimeout: 600 }, log: { level: 'info' } });

  it('takes the live keys from the new config and keeps the running value of the others', () => {
    const next = parseConfig({
      pop3: { port: 111, idleTimeout: 30 },
      log: { level: 'debug' },
      users: { file: '/elsewhere' },
      push3: { admins: ['ops'] },
    });
    const plan = planReload(running, next);
    expect(plan.applied).toEqual(['pop3.idleTimeout', 'push3.admins', 'log.level']);
    expect(plan.settings).toEqual([
      ['idle_timeout', '30'],
      ['log_level', 'debug'],
    ]);
    expect(plan.needsRestart).toEqual(['pop3.port', 'users.file']);
    expect(plan.config.pop3).toEqual({ ...running.pop3, idleTimeout: 30 });
    expect(plan.config.log.level).toBe('debug');
    expect(plan.config.users.file).toBe(running.users.file);
    expect(plan.config.push3.admins).toEqual(['ops']); // live: a dropped admin loses their Push3 session
  });

  it('applies the connection limits and the login timeout live; TLS files and auth policy need a restart', () => {
    const next = parseConfig({
      pop3: { port: 110, loginTimeout: 20 },
      limits: { maxConnections: 5, maxConnectionsPerAddress: 2 },
      auth: { allowPlaintext: true },
      tls: { cert: 'c.pem', key: 'k.pem' },
    });
    const plan = planReload(running, next);
    expect(plan.applied).toEqual(['pop3.loginTimeout', 'limits.maxConnections', 'limits.maxConnectionsPerAddress']);
    expect(plan.settings).toEqual([['max_connections', '5']]);
    expect(plan.config.limits).toEqual({ maxConnections: 5, maxConnectionsPerAddress: 2 });
    expect(plan.needsRestart).toEqual(['auth.allowPlaintext', 'tls.cert', 'tls.key']);
  });

  it('notices a key that appears or disappears', () => {
    const next = parseConfig({ pop3: { port: 110 }, mail: { welcome: 'welcome.eml' } });
    expect(planReload(running, next).needsRestart).toEqual(['mail.welcome']);
    expect(planReload(next, running).needsRestart).toEqual(['mail.welcome']);
  });

  it('changes nothing when nothing changed', () => {
    const plan = planReload(running, parseConfig({ pop3: { port: 110, idleTimeout: 600 } }));
    expect(plan).toEqual({ config: running, applied: [], settings: [], needsRestart: [] });
  });

  it('a changed top-level key (workers) needs a restart', () => {
    const running = parseConfig({});
    expect(planReload(running, parseConfig({ workers: 'auto' })).needsRestart).toEqual(['workers']);
    expect(planReload(running, parseConfig({ cluster: { scheduling: 'round-robin' } })).needsRestart).toEqual(['cluster.scheduling']);
  });
});
