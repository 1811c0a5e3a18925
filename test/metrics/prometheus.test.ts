import type { AddressInfo } from 'node:net';
import { BehaviorSubject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { applyEvent, emptyMetrics, type Metrics } from '../../src/metrics/reducer.js';
import { startPrometheus } from '../../src/metrics/prometheus.js';
import { bytes, command, opened } from '../support/events.js';
import { parsePrometheusText } from '../support/prometheus-text.js';

const metrics = (): Metrics =>
  [opened(1000), opened(2000), command(2000, 'RETR'), command(2000, 'STAT'), command(2000, 'RETR'), bytes(3000, 512)].reduce(
    applyEvent,
    emptyMetrics(0),
  );

describe('Prometheus endpoint', () => {
  it('serves the latest metrics in the text format, and lets go of the stream when closed', async () => {
    const metrics$ = new BehaviorSubject(metrics());
    const server = await startPrometheus({ host: '127.0.0.1', port: 0 }, metrics$);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const response = await fetch(`${base}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const { samples, types } = parsePrometheusText(await response.text());
      expect(samples.get('pop3d_pop3_connections_total')).toBe(2);
      expect(samples.get('pop3d_pop3_connections_current')).toBe(2);
      expect(samples.get('pop3d_pop3_bytes_sent_total')).toBe(512);
      expect(samples.get('pop3d_uptime_seconds')).toBe(3);
      expect(samples.get('pop3d_pop3_commands_total{verb="retr"}')).toBe(2);
      expect(samples.get('pop3d_pop3_commands_total{verb="stat"}')).toBe(1);
      expect(types.get('pop3d_pop3_connections_total')).toBe('counter');
      expect(types.get('pop3d_pop3_connections_current')).toBe('gauge');
      expect(types.get('pop3d_pop3_logins_ok_total')).toBe('counter');

      // Values come from the stream at scrape time.
      metrics$.next(applyEvent(metrics$.value, opened(4000)));
      const again = parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
      expect(again.samples.get('pop3d_pop3_connections_total')).toBe(3);

      expect((await fetch(`${base}/other`)).status).toBe(404);
      expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(metrics$.observed).toBe(false);
  });

  it('rejects when the port cannot be bound', async () => {
    const first = await startPrometheus({ host: '127.0.0.1', port: 0 }, new BehaviorSubject(emptyMetrics(0)));
    const taken = (first.address() as AddressInfo).port;
    const metrics$ = new BehaviorSubject(emptyMetrics(0));
    await expect(startPrometheus({ host: '127.0.0.1', port: taken }, metrics$)).rejects.toThrow(/EADDRINUSE/);
    expect(metrics$.observed).toBe(false);
    await new Promise<void>((resolve) => first.close(() => resolve()));
  });
});
