/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The page.evaluate callbacks run in the browser.
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanUpDaemons, makeSite, startSite } from '../support/daemon.js';
import { RawClient } from '../support/pop3-client.js';

/*
 * The dashboard in a real browser: Debian's chromium, headless, driven by playwright-core (which never
 * downloads a browser), loads the page from the running daemon while POP3 sessions come and go.
 */

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser: Browser;
const clients: RawClient[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
});
afterAll(async () => browser?.close());
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await cleanUpDaemons();
});

async function pop3(port: number, user: string, password: string): Promise<RawClient> {
  const client = await RawClient.open(port);
  clients.push(client);
  await client.line();
  await client.command(`USER ${user}`);
  await client.command(`PASS ${password}`);
  return client;
}

/** What the page shows, read from its DOM. */
const view = (page: Page) =>
  page.evaluate(() => ({
    status: document.getElementById('status')!.textContent ?? '',
    rows: [...document.querySelectorAll('#sessions tbody tr')].map((row) => [...row.children].map((cell) => cell.textContent)),
    lines: Object.fromEntries(
      ['connections', 'logins', 'bytes', 'p99'].map((chart) => [
        chart,
        Object.fromEntries(
          [...document.querySelectorAll(`#${chart} polyline`)].map((line) => [line.getAttribute('data-key'), line.getAttribute('points') ?? '']),
        ),
      ]),
    ),
  }));

describe('dashboard page', () => {
  it('charts connections, logins, bytes and p99 live, and lists the sessions', { timeout: 60_000 }, async () => {
    const site = makeSite({
      users: { alice: 'secret', root: 'toor' },
      mail: { alice: ['Subject: one\n\n' + 'a line of mail\n'.repeat(2000)] },
      config: {
        push3: { enabled: true, host: '127.0.0.1', port: 0, admins: ['root'] },
        prometheus: { enabled: true, host: '127.0.0.1', port: 0 },
      },
    });
    const daemon = await startSite({ site, listeners: ['pop3', 'push3', 'prometheus'] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`http://127.0.0.1:${daemon.port('prometheus')}/`);
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('live'));
    const before = await view(page);
    expect(before.rows).toEqual([]);

    const alice = await pop3(daemon.port('pop3'), 'alice', 'secret');
    alice.send('RETR 1\r\n');
    expect(await alice.multiline()).toMatch(/^\+OK/);
    expect(await alice.command('STAT')).toMatch(/^\+OK 1 /);
    const stranger = await pop3(daemon.port('pop3'), 'alice', 'wrong');
    stranger.close();

    await page.waitForFunction(
      () => document.querySelector('#sessions tbody tr') !== null && document.querySelector('#p99 polyline[data-key="retr"]') !== null,
      undefined,
      { timeout: 20_000 },
    );
    // One more snapshot, so that each chart has points after the sessions.
    await page.waitForTimeout(1500);
    const after = await view(page);
    expect(after.rows).toHaveLength(1);
    expect(after.rows[0]).toEqual([expect.any(String), 'alice', expect.stringMatching(/^127\.0\.0\.1:\d+$/), 'pop3', 'transaction', expect.any(String), expect.stringMatching(/^\d{5,}$/), 'STAT']);
    expect(Object.keys(after.lines.p99)).toEqual(expect.arrayContaining(['retr', 'stat', 'pass']));
    for (const chart of ['connections', 'logins', 'bytes'] as const) {
      expect(after.lines[chart], chart).not.toEqual(before.lines[chart]);
    }
    // The highest point of the bytes chart is the RETR (y is measured down from the top).
    const lowestY = (points: string) => Math.min(...points.split(' ').map((point) => Number(point.split(',')[1])));
    expect(lowestY(after.lines.bytes.out!)).toBeLessThan(10);
    expect(after.status).toMatch(/^live · 1 session · /);

    const shot = join(site.dir, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    if (process.env.DASHBOARD_SCREENSHOT) copyFileSync(shot, process.env.DASHBOARD_SCREENSHOT);
    await page.close();
  });

  it('serves loopback freely even with a token configured (off loopback: test/dashboard/routes.test.ts)', async () => {
    const site = makeSite({
      config: {
        push3: { enabled: true, host: '127.0.0.1', port: 0, admins: [] },
        prometheus: { enabled: true, host: '127.0.0.1', port: 0, dashboardToken: 'dashboard-token-for-tests' },
      },
    });
    const daemon = await startSite({ site, listeners: ['pop3', 'push3', 'prometheus'] });
    const base = `http://127.0.0.1:${daemon.port('prometheus')}`;
    const events = await fetch(`${base}/events`);
    expect(events.headers.get('content-type')).toBe('text/event-stream');
    const reader = events.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toMatch(/^event: snapshot\ndata: \{"at":\d+,"connections":0,/);
    await reader.cancel();
    expect((await fetch(`${base}/`)).status).toBe(200);
    // /metrics carries no user names or addresses: it stays as it was, for scrapers.
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
  });
});
