import { describe, expect, it } from 'vitest';
import { parseConfig, resolvePaths } from '../../src/config/load.js';

const problem = (raw: unknown): string => {
  try {
    parseConfig(raw);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the config to be refused');
};

describe('security config keys', () => {
  it('defaults to a safe setup: no plaintext outside loopback, penalties, limits', () => {
    const config = parseConfig({});
    expect(config.auth).toEqual({
      allowPlaintext: false,
      trustedNetworks: ['127.0.0.0/8', '::1/128'],
      failureDelay: 1000,
      failureDelayMax: 30_000,
      maxFailuresPerConnection: 3,
      lowercaseNames: true,
    });
    expect(config.limits).toEqual({ maxConnections: 1000, maxConnectionsPerAddress: 20 });
    expect(config.pop3.loginTimeout).toBe(60);
    expect(config.tls).toEqual({});
    expect(config.pop3s).toEqual({ host: '127.0.0.1', port: 1995, proxyProtocol: false });
    expect(config.push3.tls).toBe(false);
  });

  it('names what is wrong', () => {
    expect(problem({ auth: { trustedNetworks: ['10.0.0.0/33', 'intranet'] } })).toMatch(
      /auth\.trustedNetworks\.0: .*prefix length; auth\.trustedNetworks\.1: .*not an IP address/,
    );
    expect(problem({ tls: { cert: 'cert.pem' } })).toMatch(/tls: set both cert and key, or neither/);
    expect(problem({ daemon: { user: 'pop3d' } })).toMatch(/daemon\.group: required with daemon\.user/);
    expect(problem({ push3: { tls: true } })).toMatch(/push3\.tls: needs tls\.cert and tls\.key/);
    expect(problem({ limits: { maxConnections: -1 } })).toMatch(/limits\.maxConnections/);
  });

  it('resolves the certificate paths against the config file folder', () => {
    const config = resolvePaths(parseConfig({ tls: { cert: 'tls/cert.pem', key: '/etc/ssl/key.pem' } }), '/etc/pop3d');
    expect(config.tls).toEqual({ cert: '/etc/pop3d/tls/cert.pem', key: '/etc/ssl/key.pem' });
  });
});
