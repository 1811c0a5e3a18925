import { afterEach, describe, expect, it } from 'vitest';
import { cleanUpDaemons, startSite } from '../support/daemon.js';
import { RawClient } from '../support/pop3-client.js';
import { openTls, tlsSite } from '../support/tls.js';

afterEach(cleanUpDaemons);

describe('Push3 security hooks', () => {
  it('speaks TLS with the POP3 certificate when push3.tls is set, and throttles failed LOGINs', async () => {
    const site = tlsSite({
      config: {
        push3: { enabled: true, host: '127.0.0.1', port: 0, admins: ['alice'], tls: true },
        prometheus: { enabled: false },
        auth: { failureDelay: 300 },
      },
    });
    const daemon = await startSite({ site, listeners: ['pop3', 'pop3s', 'push3'] });
    const port = daemon.ports.push3!;

    const plain = await RawClient.open(port);
    plain.send('LOGIN alice secret\r\n');
    await plain.ended();

    const { client } = await openTls(port);
    expect(await client.line()).toBe('->SUCCESS: Push3 ready');
    const started = Date.now();
    expect(await client.command('LOGIN alice wrong')).toBe('->FAIL: Authentication failed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(await client.command('LOGIN alice secret')).toMatch(/^->SUCCESS/);
    client.close();
  });
});
