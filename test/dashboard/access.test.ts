import { describe, expect, it } from 'vitest';
import { dashboardAllowed } from '../../src/dashboard/access.js';

const TOKEN = 'a-long-enough-dashboard-token';
const from = (remoteAddress: string, authorization?: string, queryToken: string | null = null) => ({ remoteAddress, authorization, queryToken });

describe('dashboard access', () => {
  it('lets loopback in, with or without a token configured', () => {
    for (const address of ['127.0.0.1', '127.8.9.1', '::1', '::ffff:127.0.0.1']) {
      expect(dashboardAllowed(from(address), undefined)).toBe(true);
      expect(dashboardAllowed(from(address), TOKEN)).toBe(true);
    }
  });

  it('keeps everyone else out without a configured token', () => {
    expect(dashboardAllowed(from('192.0.2.7', `Bearer ${TOKEN}`, TOKEN), undefined)).toBe(false);
    expect(dashboardAllowed(from('::ffff:192.0.2.7'), undefined)).toBe(false);
  });

  it('lets others in with the token as a bearer header or a query parameter, and nothing else', () => {
    expect(dashboardAllowed(from('192.0.2.7', `Bearer ${TOKEN}`), TOKEN)).toBe(true);
    expect(dashboardAllowed(from('192.0.2.7', undefined, TOKEN), TOKEN)).toBe(true);
    expect(dashboardAllowed(from('192.0.2.7', `Bearer ${TOKEN}x`), TOKEN)).toBe(false);
    expect(dashboardAllowed(from('192.0.2.7', undefined, 'wrong'), TOKEN)).toBe(false);
    expect(dashboardAllowed(from('192.0.2.7', `Basic ${TOKEN}`), TOKEN)).toBe(false);
  });
});
