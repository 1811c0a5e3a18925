import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { BehaviorSubject, asyncScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { dashboardRoutes } from '../../src/dashboard/routes.js';
import { emptyMetrics } from '../../src/metrics/reducer.js';

const TOKEN = 'dashboard-token-for-tests';
let server: Server | undefined;

afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/**
 * The dashboard's routes on a real HTTP listener whose connections all claim `remote` as their peer: an
 * off-loopback client, without sending traffic off this host.
 */
async function serveAs(remote: string, token: string | undefined): Promise<string> {
  const routes = dashboardRoutes({
    metrics$: new BehaviorSubject(emptyMetrics(0)),
    sessions: () => [],
    scheduler: asyncScheduler,
    token,
  });
  server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://dashboard').pathname;
    if (!routes(request, response, path)) response.writeHead(404).end();
  });
  server.on('connection', (socket: Socket) => Object.defineProperty(socket, 'remoteAddress', { value: remote }));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('dashboard routes', () => {
  it('answer a client off loopback only with the token, as a bearer header or a query parameter', async () => {
    const base = await serveAs('192.0.2.7', TOKEN);
    expect((await fetch(`${base}/`)).status).toBe(403);
    expect((await fetch(`${base}/events`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(403);
    const page = await fetch(`${base}/?token=${TOKEN}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<table id="sessions">');
    const events = await fetch(`${base}/events`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(events.status).toBe(200);
    expect(events.headers.get('content-type')).toBe('text/event-stream');
    await events.body!.cancel();
  });

  it('keep a client off loopback out when no token is configured', async () => {
    const base = await serveAs('::ffff:192.0.2.7', undefined);
    expect((await fetch(`${base}/`)).status).toBe(403);
    expect((await fetch(`${base}/?token=${TOKEN}`)).status).toBe(403);
  });

  it('answer only GET and HEAD, as /metrics does', async () => {
    const base = await serveAs('127.0.0.1', undefined);
    for (const path of ['/', '/events']) {
      const posted = await fetch(`${base}${path}`, { method: 'POST', body: 'hello' });
      expect([posted.status, posted.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    }
    expect((await fetch(`${base}/`, { method: 'HEAD' })).status).toBe(200);
  });

  it('leave other paths to the caller', async () => {
    const base = await serveAs('192.0.2.7', TOKEN);
    expect((await fetch(`${base}/metrics?token=${TOKEN}`)).status).toBe(404);
  });
});
