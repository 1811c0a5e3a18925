import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';

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
