import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Observable } from 'rxjs';
import { commandCounts, METRIC_DEFINITIONS } from './catalogue.js';
import { dashboardRoutes, type DashboardOptions } from '../dashboard/routes.js';
import { registerHistograms } from './prometheus-histograms.js';
import type { Metrics } from './reducer.js';

export interface PrometheusEndpoint {
  readonly host: string;
  readonly port: number;
}

const PREFIX = 'pop3d_';

/** Prometheus names: prefixed, and counters end in `_total` as the exposition conventions ask. */
const prometheusName = (key: string, kind: 'counter' | 'gauge'): string =>
  PREFIX + key + (kind === 'counter' && !key.endsWith('_total') ? '_total' : '');

/**
 * A registry whose every metric is set, at scrape time, from the latest value of the metrics stream:
 * no counter is incremented anywhere else, so Prometheus and Push3 cannot disagree.
 */
function metricsRegistry(latest: () => Metrics | undefined): Registry {
  const registry = new Registry();
  for (const definition of METRIC_DEFINITIONS) {
    if (definition.key === 'pop3_commands_total') continue; // published by verb below; the sum is sum()
    if (definition.prometheus === false) continue;
    const name = prometheusName(definition.key, definition.kind);
    const help = definition.help;
    if (definition.kind === 'gauge') {
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          const metrics = latest();
          if (metrics) this.set(definition.read(metrics));
        },
      });
    } else {
      // A counter cannot be set; reset-then-inc publishes the folded total as it is.
      new Counter({
        name,
        help,
        registers: [registry],
        collect() {
          const metrics = latest();
          this.reset();
          if (metrics) this.inc(definition.read(metrics));
        },
      });
    }
  }
  new Counter({
    name: `${PREFIX}pop3_commands_total`,
    help: 'POP3 commands handled, by verb',
    labelNames: ['verb'],
    registers: [registry],
    collect() {
      const metrics = latest();
      this.reset();
      for (const [verb, n] of metrics ? commandCounts(metrics) : []) this.inc({ verb: verb.toLowerCase() }, n);
    },
  });
  registerHistograms(registry, latest);
  return registry;
}

/** The dashboard's part of the endpoint (see dashboard/routes.ts). */
export type DashboardParts = Omit<DashboardOptions, 'metrics$'>;

/**
 * Serves `GET /metrics` in the Prometheus text format, and the dashboard (`/`, `/events`) over the same
 * metrics stream; resolves once listening (port 0 picks one).
 */
export function startPrometheus(endpoint: PrometheusEndpoint, metrics$: Observable<Metrics>, dashboard?: DashboardParts): Promise<Server> {
  let latest: Metrics | undefined;
  const subscription = metrics$.subscribe((metrics) => (latest = metrics));
  const registry = metricsRegistry(() => latest);
  const page = dashboard && dashboardRoutes({ ...dashboard, metrics$ });
  const server = createServer((request, response) => {
    if (!page?.(request, response, (request.url ?? '').split('?', 1)[0]!)) void answer(registry, request, response);
  });
  server.on('close', () => subscription.unsubscribe());
  return new Promise((resolve, reject) => {
    const failed = (error: Error): void => {
      subscription.unsubscribe();
      reject(error);
    };
    server.once('error', failed);
    server.listen(endpoint.port, endpoint.host, () => {
      server.off('error', failed);
      resolve(server);
    });
  });
}

async function answer(registry: Registry, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? '').split('?', 1)[0];
  if (path !== '/metrics') {
    return void response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return void response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('Method not allowed\n');
  }
  try {
    const body = await registry.metrics();
    const head = request.method === 'HEAD';
    response.writeHead(200, { 'content-type': registry.contentType }).end(head ? undefined : body);
  } catch (error) {
    response.writeHead(500, { 'content-type': 'text/plain' }).end(`${(error as Error).message}\n`);
  }
}
