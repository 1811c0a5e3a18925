import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';

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
});

describe('config: workers', () => {
  it('defaults to 1 (no cluster) and takes a count or "auto"', () => {
    expect(parseConfig({}).workers).toBe(1);
    expect(parseConfig({ workers: 4 }).workers).toBe(4);
    expect(parseConfig({ workers: 'auto' }).workers).toBe('auto');
  });

  it('has each worker accept its own connections unless told to deal them round-robin', () => {
    expect(parseConfig({}).cluster.scheduling).toBe('kernel');
    expect(parseConfig({ cluster: { scheduling: 'round-robin' } }).cluster.scheduling).toBe('round-robin');
    expect(() => parseConfig({ cluster: { scheduling: 'rr' } })).toThrow(/cluster\.scheduling/);
  });

  it.each([0, 2.5, '2', 'all', 257])('refuses %j', (workers) => {
    expect(() => parseConfig({ workers })).toThrow(/workers/);
  });
});

describe('config: PROXY protocol', () => {
  it('is off on both listeners by default, with no balancer trusted', () => {
    const config = parseConfig({});
    expect([config.pop3.proxyProtocol, config.pop3s.proxyProtocol, config.proxy.trustedProxies]).toEqual([false, false, []]);
  });

  it('needs a trusted balancer when a listener expects the header', () => {
    expect(() => parseConfig({ pop3s: { proxyProtocol: true } })).toThrow(/proxy\.trustedProxies: needs at least one balancer/);
    const config = parseConfig({ pop3: { proxyProtocol: true }, proxy: { trustedProxies: ['10.0.0.0/8', '2001:db8::5'] } });
    expect(config.proxy.trustedProxies).toEqual(['10.0.0.0/8', '2001:db8::5']);
  });

  it('checks the balancer addresses as CIDR blocks', () => {
    expect(() => parseConfig({ proxy: { trustedProxies: ['10.0.0.0/33'] } })).toThrow(/proxy\.trustedProxies\.0: .*invalid prefix length/);
    expect(() => parseConfig({ proxy: { trustedProxies: ['haproxy.local'] } })).toThrow(/not an IP address/);
  });
});

describe('config: durations', () => {
  it('refuses a duration longer than a Node timer can wait, which would fire at once and spin', () => {
    const longest = Math.floor((2 ** 31 - 1) / 1000);
    expect(parseConfig({ pop3: { idleTimeout: longest, loginTimeout: longest } }).pop3).toMatchObject({ idleTimeout: longest, loginTimeout: longest });
    expect(problem({ pop3: { idleTimeout: longest + 1 } })).toMatch(/pop3\.idleTimeout: Too big/);
    expect(problem({ pop3: { loginTimeout: 3_000_000 } })).toMatch(/pop3\.loginTimeout: Too big/);
    expect(problem({ users: { timeout: 3_000_000 } })).toMatch(/users\.timeout: Too big/);
    expect(problem({ auth: { failureDelayMax: 2 ** 31 } })).toMatch(/auth\.failureDelayMax: Too big/);
    expect(problem({ mail: { lockStaleSeconds: 3_000_000 } })).toMatch(/mail\.lockStaleSeconds: Too big/);
  });

  it('gives the shutdown a day at most', () => {
    expect(parseConfig({ shutdown: { graceSeconds: 86_400 } }).shutdown.graceSeconds).toBe(86_400);
    expect(problem({ shutdown: { graceSeconds: 86_401 } })).toMatch(/shutdown\.graceSeconds: Too big/);
  });
});
