import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Observable, SchedulerLike } from 'rxjs';
import type { SessionRow } from '../metrics/session-table.js';
import type { Metrics } from '../metrics/reducer.js';
import { packageFile } from '../process/package-files.js';
import { dashboardAllowed } from './access.js';
import { dashboardEvents } from './snapshot.js';

export interface DashboardOptions {
  readonly metrics$: Observable<Metrics>;
  readonly sessions: () => readonly SessionRow[];
  readonly scheduler: SchedulerLike;
  /** prometheus.dashboardToken: required from clients that are not on loopback. */
  readonly token: string | undefined;
}

/**
 * `GET /` (the page) and `GET /events` (Server-Sent Events) beside `/metrics`. Returns false for any other
 * path, for the caller to answer.
 */
export function dashboardRoutes(options: DashboardOptions): (request: IncomingMessage, response: ServerResponse, path: string) => boolean {
  // The one static page (no build step of its own).
  const page = readFileSync(packageFile('dashboard/index.html'));
  return (request, response, path) => {
    if (path !== '/' && path !== '/events') return false;
    // Read-only, as /metrics is: a POST to the page is no way to ask for it.
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('Method not allowed\n');
      return true;
    }
    const url = new URL(request.url ?? '/', 'http://dashboard');
    const allowed = dashboardAllowed(
      { remoteAddress: request.socket.remoteAddress, authorization: request.headers.authorization, queryToken: url.searchParams.get('token') },
      options.token,
    );
    if (!allowed) {
      response.writeHead(403, { 'content-type': 'text/plain' }).end('Forbidden: the dashboard needs prometheus.dashboardToken off loopback\n');
      return true;
    }
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page);
      return true;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    const subscription = dashboardEvents(options.metrics$, options.sessions, options.scheduler).subscribe((message) => {
      // A viewer that does not read skips snapshots rather than have them pile up in memory.
      if (!response.writableNeedDrain) response.write(message);
    });
    response.on('close', () => subscription.unsubscribe());
    return true;
  };
}
