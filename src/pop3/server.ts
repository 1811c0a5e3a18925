import type { Server } from 'node:net';
import { asyncScheduler } from 'rxjs';
import type { Logger } from 'pino';
import { loginThrottle, type LoginThrottle } from '../auth/throttle.js';
import type { UserDirectory } from '../auth/users.js';
import type { Config } from '../config/schema.js';
import { giveBack } from '../maildrop/chunk-buffers.js';
import type { MaildropStore } from '../maildrop/maildrop.js';
import type { ServerEvent } from '../events/server-events.js';
import { acceptor } from '../net/accept.js';
import { addressSet } from '../net/address.js';
import type { OpenConnection, TlsOptions } from '../net/connection.js';
import { connectionLimiter, type ConnectionLimiter } from '../net/limiter.js';
import { boundPort, listen } from '../net/listener.js';
import { configuredTls, loadTlsCredentials } from '../tls/credentials.js';
import type { SessionControls } from './kick.js';
import { MAX_COMMAND_OCTETS } from './parse.js';
import { pop3Session } from './session.js';

export interface Pop3Dependencies {
  readonly maildrops: MaildropStore;
  readonly users: UserDirectory;
  readonly emit: (event: ServerEvent) => void;
  readonly logger: Logger;
  readonly hostname: string;
  readonly implementation: string;
  /** The config in effect now: keys read per use (timeouts, per-address limit) follow reloads. */
  readonly currentConfig: () => Config;
  /** The global connection limit, read per connection (the live max_connections setting); 0 = none. */
  readonly maxConnections: () => number;
  /** Each admitted connection, for draining on shutdown. */
  readonly onConnection: (connection: OpenConnection) => void;
  /** Where Push3's KICK finds this process's sessions. */
  readonly controls: SessionControls;
  /**
   * Connection limits and login penalties kept elsewhere, for the whole daemon (a cluster worker's are its
   * primary's). Without them, this process keeps its own from the config.
   */
  readonly shared?: { readonly limiter: ConnectionLimiter; readonly throttle: LoginThrottle };
}

export interface Pop3Server {
  readonly servers: readonly Server[];
  readonly pop3Port: number;
  /** Set when a certificate is configured. */
  readonly pop3sPort: number | undefined;
  /** Re-reads the certificate for new handshakes (SIGHUP); rejects, keeping the old one, when unusable. Set with TLS. */
  readonly reloadTls: (() => Promise<void>) | undefined;
  /** What POP3S runs with, for other listeners that speak implicit TLS (push3.tls). Set with TLS. */
  readonly implicitTls: TlsOptions | undefined;
  /** The failed-login penalties per address, for other protocols' logins to share. */
  readonly throttle: LoginThrottle;
}

/**
 * POP3 as configured: the session with its security policy, the plain listener (with STLS when a
 * certificate is set) and the implicit-TLS one, sharing one connection limiter. Rejects when the
 * certificate cannot be loaded or a port cannot be bound.
 */
export async function startPop3(config: Config, deps: Pop3Dependencies): Promise<Pop3Server> {
  const { logger, currentConfig, emit } = deps;
  const { auth } = config;
  const files = configuredTls(config.tls);
  const credentials = files === undefined ? undefined : await loadTlsCredentials(files);
  const trusted = addressSet(auth.trustedNetworks);
  const throttle =
    deps.shared?.throttle ?? loginThrottle({ baseDelayMs: auth.failureDelay, maxDelayMs: auth.failureDelayMax, now: Date.now });
  const session = pop3Session({
    maildrops: deps.maildrops,
    users: deps.users,
    scheduler: asyncScheduler,
    idleTimeoutMs: () => currentConfig().pop3.idleTimeout * 1000,
    loginTimeoutMs: () => currentConfig().pop3.loginTimeout * 1000,
    hostname: deps.hostname,
    implementation: deps.implementation,
    emit,
    startTls: credentials !== undefined,
    plaintextAuthAllowed: (connection) => auth.allowPlaintext || connection.secure || trusted.has(connection.address),
    throttle,
    maxFailuresPerConnection: auth.maxFailuresPerConnection,
    controls: deps.controls,
    // Sub-millisecond: a cached STAT takes well under one.
    stopwatch: () => performance.now(),
  });
  const limiter =
    deps.shared?.limiter ??
    connectionLimiter({
      maxConnections: deps.maxConnections,
      maxPerAddress: () => currentConfig().limits.maxConnectionsPerAddress,
      exempt: (address) => trusted.has(address),
    });
  // The handshake is part of the time allowed before login.
  const tls = (implicit: boolean): TlsOptions | undefined =>
    credentials && { context: credentials.current, handshakeTimeoutMs: () => currentConfig().pop3.loginTimeout * 1000, implicit };
  // Behind a balancer the header comes first; it counts toward the time allowed before login, as TLS does.
  const proxy = { trusted: addressSet(config.proxy.trustedProxies), timeoutMs: () => currentConfig().pop3.loginTimeout * 1000 };
  const accept = (protocol: 'pop3' | 'pop3s') =>
    acceptor(session, {
      protocol: 'pop3',
      maxLineOctets: MAX_COMMAND_OCTETS,
      emit,
      tls: tls(protocol === 'pop3s'),
      // Message chunks go back to their pool once written (see chunk-buffers.ts).
      written: giveBack,
      limiter,
      refusal: protocol === 'pop3' ? () => '-ERR [SYS/TEMP] Too many connections, try again later\r\n' : undefined,
      onRefused: (address, reason) => logger.warn({ event: 'connection-refused', protocol, remote: address, reason }, reason),
      onServed: deps.onConnection,
      proxy: config[protocol].proxyProtocol ? proxy : undefined,
    });

  const pop3 = await listen(config.pop3, accept('pop3'));
  const servers: Server[] = [pop3];
  const pop3Port = boundPort(pop3);
  let pop3sPort: number | undefined;
  if (credentials !== undefined) {
    const pop3s = await listen(config.pop3s, accept('pop3s')).catch((error: unknown) => {
      pop3.close();
      throw error;
    });
    servers.push(pop3s);
    pop3sPort = boundPort(pop3s);
  }
  return { servers, pop3Port, pop3sPort, reloadTls: credentials?.reload, implicitTls: tls(true), throttle };
}
