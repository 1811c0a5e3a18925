import cluster from 'node:cluster';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { LiveSettings } from '../config/live-settings.js';
import type { Config } from '../config/schema.js';
import { LOCK_NAME } from '../mail/lock.js';
import { createLogger, startDaemon, type Daemon } from '../main.js';
import { forwardEvents, type EventForwarding } from './event-forwarding.js';
import { isToWorker, type FromWorker, type SettingValues, type ToWorker } from './messages.js';
import { reportedLocks } from './reported-locks.js';
import { sharedLimits } from './shared-limits.js';

/** Resolves once the message is handed to the channel (or at once, when the primary is gone). */
function send(message: FromWorker): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || process.send === undefined) return resolve();
    process.send(message, undefined, undefined, () => resolve());
  });
}

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

interface Running {
  readonly daemon: Daemon;
  readonly logger: Logger;
  readonly forwarding: EventForwarding | undefined;
  config: Config;
}

/**
 * A cluster worker (see primary.ts): asks the primary for the config, serves POP3 on the shared listeners,
 * sends its events (when something watches them) and lock changes up, and follows the primary's word.
 * Resolves once it listens; rejects, so the command fails, when it cannot start.
 */
export async function runWorker(): Promise<void> {
  // Reloads come from the primary; a SIGHUP to the whole process group must not end a worker.
  process.on('SIGHUP', () => undefined);
  const next = inbox();
  await send({ kind: 'waiting' });
  const start = await next();
  if (start.kind !== 'start') throw new Error(`expected the start message from the primary, got ${start.kind}`);
  const { config } = start;
  const logger = createLogger(config).child({ worker: cluster.worker?.id });
  const daemon = await startDaemon(config, logger, {
    kind: 'worker',
    maildrops: (store, locate) => {
      const lockPath = async (user: string): Promise<string> => join(await locate(user), LOCK_NAME);
      return reportedLocks(store, lockPath, (message) => void send(message));
    },
    shared: sharedLimits((message) => void send(message)),
  });
  applySettings(daemon.settings, start.settings, logger);
  // Push3 and Prometheus are the only readers of the metrics; without them nothing is sent.
  const forwarding = config.push3.enabled ? forwardEvents(daemon.events.events$, (events) => send({ kind: 'events', events })) : undefined;
  const running: Running = { daemon, logger, forwarding, config };
  onSignals(running);
  await send({ kind: 'ready', pop3Port: daemon.pop3Port, pop3sPort: daemon.pop3sPort });
  void follow(running, next);
}

async function follow(running: Running, next: () => Promise<ToWorker>): Promise<never> {
  for (;;) {
    const message = await next();
    // One message failing must not deafen the worker to the next.
    await obey(running, message).catch((error: unknown) =>
      running.logger.error({ event: 'primary-message-failed', kind: message.kind, err: error }, 'could not carry out a message from the primary'),
    );
  }
}

async function obey(running: Running, message: ToWorker): Promise<void> {
  const { daemon, logger } = running;
  switch (message.kind) {
    case 'reload':
      running.config = await daemon.reload(message.config);
      return;
    case 'reload-users':
      await daemon.reloadUsers().catch((error: unknown) =>
        logger.error({ event: 'reload-failed', reason: (error as Error).message }, 'users file not reloaded; keeping the users it had'),
      );
      return send({ kind: 'done', id: message.id });
    case 'kick':
      daemon.kick(message.target);
      return send({ kind: 'done', id: message.id });
    case 'settings':
      return applySettings(daemon.settings, message.settings, logger);
    case 'start':
      logger.warn({ event: 'unexpected-start' }, 'already started');
  }
}

/**
 * SIGTERM (from the primary) or SIGINT (a terminal's ^C reaches the whole process group): drain like a lone
 * daemon, send the last events, exit.
 */
function onSignals(running: Running): void {
  const { daemon, logger } = running;
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'shutdown', signal }, 'worker stopping: no new connections, draining sessions');
    daemon
      .stop(running.config.shutdown.graceSeconds * 1000)
      .then(() => running.forwarding?.flush())
      .then(
        () => {
          logger.flush();
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ event: 'shutdown-failed', err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
