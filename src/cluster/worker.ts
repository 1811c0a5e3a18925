import cluster from 'node:cluster';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { BehaviorSubject } from 'rxjs';
import type { LiveSettings } from '../config/live-settings.js';
import { createRunningConfig, type RunningConfig } from '../config/running-config.js';
import { LOCK_NAME } from '../lock/maildrop-lock.js';
import { runLifeCycle, type Started } from '../daemon/life-cycle.js';
import { createLogger } from '../daemon/logger.js';
import { startDaemon, type Daemon } from '../daemon/start-daemon.js';
import { forwardEvents } from './event-forwarding.js';
import { gatheringSender } from './outbox.js';
import { isToWorker, type FromWorker, type SettingValues, type ToWorker } from './messages.js';
import { reportedLocks } from './reported-locks.js';
import { sharedLimits } from './shared-limits.js';

/**
 * Resolves once the message is handed to the channel (or at once, when the primary is gone). Messages sent
 * in the same turn of the event loop travel together.
 */
const send = gatheringSender((message, sent) => {
  if (!process.connected || process.send === undefined) return sent();
  process.send(message, undefined, undefined, () => sent());
});

/** The primary's messages in order, kept until read, so none is lost while the daemon starts. */
function inbox(): () => Promise<ToWorker> {
  const waiting: ToWorker[] = [];
  let wake: (() => void) | undefined;
  process.on('message', (message: unknown) => {
    if (!isToWorker(message)) return;
    waiting.push(message);
    wake?.();
  });
  return async () => {
    while (waiting.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return waiting.shift()!;
  };
}

function applySettings(settings: LiveSettings, values: SettingValues, logger: Logger): void {
  for (const [key, value] of values) {
    const result = settings.set(key, value);
    if (!result.ok) logger.warn({ event: 'setting-not-applied', key, reason: result.reason }, 'setting from the primary refused');
  }
}

interface Worker {
  readonly started: Started<Daemon>;
  readonly running: RunningConfig;
  readonly logger: Logger;
  readonly eventsWatched: BehaviorSubject<boolean>;
}

/**
 * A cluster worker (see primary.ts): asks the primary for the config, serves POP3 on the shared listeners,
 * sends its events (when something watches them) and lock changes up, and follows the primary's word.
 * SIGTERM (from the primary) or SIGINT (a terminal's ^C reaches the whole process group) drains it like a
 * lone daemon; SIGHUP is ignored, reloads come from the primary. Resolves once it listens; rejects, so the
 * command fails, when it cannot start.
 */
export async function runWorker(): Promise<void> {
  // Until the life cycle (which ignores it here) takes over: a SIGHUP to the process group must not end a starting worker.
  process.on('SIGHUP', () => undefined);
  const next = inbox();
  await send({ kind: 'waiting' });
  const start = await next();
  if (start.kind !== 'start') throw new Error(`expected the start message from the primary, got ${start.kind}`);
  const { config } = start;
  const running = createRunningConfig(config);
  const logger = createLogger(config).child({ worker: cluster.worker?.id });
  applySettings(running.settings, start.settings, logger);
  const eventsWatched = new BehaviorSubject(start.eventsWatched);
  const started = await runLifeCycle({
    logger,
    running,
    start: async () => {
      const daemon = await startDaemon(running, logger, {
        kind: 'worker',
        maildrops: (store, locate) => {
          const lockPath = async (user: string): Promise<string> => join(await locate(user), LOCK_NAME);
          return reportedLocks(store, lockPath, (message) => void send(message));
        },
        shared: sharedLimits((message) => void send(message)),
      });
      // Push3 and Prometheus are the only readers of the metrics; without them nothing is sent.
      const forwarding = config.push3.enabled
        ? forwardEvents(daemon.events.events$, eventsWatched, (batch) => send({ kind: 'events', ...batch }))
        : undefined;
      // Drained, it sends its last events before the exit.
      return { ...daemon, stop: (graceMs: number) => daemon.stop(graceMs).then(() => forwarding?.flush()) };
    },
    stopping: 'worker stopping: no new connections, draining sessions',
  });
  await send({ kind: 'ready', pop3Port: started.service.pop3Port, pop3sPort: started.service.pop3sPort });
  void follow({ started, running, logger, eventsWatched }, next);
}

async function follow(worker: Worker, next: () => Promise<ToWorker>): Promise<never> {
  for (;;) {
    const message = await next();
    // One message failing must not deafen the worker to the next.
    await obey(worker, message).catch((error: unknown) =>
      worker.logger.error({ event: 'primary-message-failed', kind: message.kind, err: error }, 'could not carry out a message from the primary'),
    );
  }
}

async function obey(worker: Worker, message: ToWorker): Promise<void> {
  const { logger } = worker;
  const daemon = worker.started.service;
  switch (message.kind) {
    case 'reload':
      return worker.started.reload(message.config);
    case 'reload-users':
      await daemon.reloadUsers().catch((error: unknown) =>
        logger.error({ event: 'reload-failed', reason: (error as Error).message }, 'users file not reloaded; keeping the users it had'),
      );
      return send({ kind: 'done', id: message.id });
    case 'kick':
      daemon.kick(message.target);
      return send({ kind: 'done', id: message.id });
    case 'settings':
      return applySettings(worker.running.settings, message.settings, logger);
    case 'events-watched':
      return worker.eventsWatched.next(message.watched);
    case 'start':
      logger.warn({ event: 'unexpected-start' }, 'already started');
  }
}
