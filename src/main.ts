import { hostname } from 'node:os';
import type { Server } from 'node:net';
import { pino, type Logger } from 'pino';
import { asyncScheduler } from 'rxjs';
import { PasswdFileDirectory } from './auth/passwd-directory.js';
import type { Config } from './config/schema.js';
import { logEvents } from './hooks/event-log.js';
import { ensureMaildir } from './mail/ensure-maildir.js';
import { maildirFor } from './mail/maildir-path.js';
import { MaildirStore } from './mail/maildir.js';
import { TrackedMaildropStore } from './mail/tracked-store.js';
import { createEventBus, type EventBus } from './metrics/events.js';
import { serveSocket, type LiveConnection } from './net/connection.js';
import { boundPort, listen } from './net/listener.js';
import { MAX_COMMAND_OCTETS } from './pop3/parse.js';
import { pop3Session } from './pop3/session.js';

export const IMPLEMENTATION = 'pop3d';

export interface Daemon {
  readonly pop3Port: number;
  readonly events: EventBus;
  /** Stop accepting, give sessions `graceMs` to end, close the rest, release every lock. */
  stop(graceMs: number): Promise<void>;
}

export function createLogger(config: Config): Logger {
  return pino({ level: config.log.level, base: { service: IMPLEMENTATION } });
}

/** Creates every user's missing Maildir (with the welcome message) when autocreate is on. */
async function provisionMaildirs(config: Config, users: PasswdFileDirectory, logger: Logger): Promise<void> {
  if (!config.mail.autocreate) return;
  for (const user of await users.list()) {
    try {
      if (await ensureMaildir(maildirFor(config.mail.maildir, user), config.mail.welcome)) {
        logger.info({ event: 'maildir-created', user }, 'created Maildir');
      }
    } catch (error) {
      logger.warn({ event: 'maildir-create-failed', user, err: error }, 'cannot create Maildir');
    }
  }
}

/** Wires config -> ports -> listeners. Everything the daemon does is reachable from here. */
export async function startDaemon(config: Config, logger: Logger): Promise<Daemon> {
  const events = createEventBus();
  logEvents(events.events$, logger);
  const users = await PasswdFileDirectory.load(config.users.file, (problem) =>
    logger.warn({ event: 'users-file-problem', ...problem }, 'users file problem'),
  );
  await provisionMaildirs(config, users, logger);
  const maildrops = new TrackedMaildropStore(
    new MaildirStore({
      template: config.mail.maildir,
      staleMs: config.mail.lockStaleSeconds * 1000,
      autocreate: config.mail.autocreate,
      welcomeFile: config.mail.welcome,
      logger,
    }),
  );
  const live = new Set<LiveConnection>();
  const session = pop3Session({
    maildrops,
    users,
    scheduler: asyncScheduler,
    idleTimeoutMs: () => config.pop3.idleTimeout * 1000,
    hostname: hostname(),
    implementation: IMPLEMENTATION,
    emit: events.emit,
  });
  const servers: Server[] = [];
  const pop3 = await listen(config.pop3, (socket) => {
    const connection = serveSocket(socket, session, {
      protocol: 'pop3',
      maxLineOctets: MAX_COMMAND_OCTETS,
      emit: events.emit,
    });
    live.add(connection);
    void connection.closed.then(() => live.delete(connection));
  });
  servers.push(pop3);
  const pop3Port = boundPort(pop3);
  logger.info({ event: 'listening', protocol: 'pop3', host: config.pop3.host, port: pop3Port }, 'POP3 listening');

  return {
    pop3Port,
    events,
    async stop(graceMs) {
      // close() stops accepting at once; its callback would wait for every session, so don't await it.
      for (const server of servers) server.close();
      const allClosed = Promise.all([...live].map((connection) => connection.closed));
      const grace = new Promise<'timeout'>((resolve) => setTimeout(resolve, graceMs, 'timeout').unref());
      if ((await Promise.race([allClosed, grace])) === 'timeout') {
        logger.info({ event: 'shutdown-closing', sessions: live.size }, 'grace period over, closing sessions');
        for (const connection of live) connection.destroy();
        await allClosed;
      }
      await maildrops.settled();
    },
  };
}
