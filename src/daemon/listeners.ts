import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';

const LABELS = { pop3: 'POP3', pop3s: 'POP3S', push3: 'Push3', prometheus: 'Prometheus' } as const;

/** A bound listener, as its `listening` log line reports it. */
export interface Listener {
  readonly protocol: keyof typeof LABELS;
  readonly host: string;
  readonly port: number;
  /** More fields for its log line (`stls`, a cluster's `workers` and `scheduling`). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** One `listening` line per listener: how operators and the tests learn the ports (port 0 included). */
export function reportListening(logger: Logger, listeners: readonly Listener[]): void {
  for (const { protocol, host, port, details } of listeners) {
    logger.info({ event: 'listening', protocol, host, port, ...details }, `${LABELS[protocol]} listening`);
  }
}

/** The POP3 listeners (POP3S only with a certificate, which also offers STLS on POP3); `details` goes on both. */
export function pop3Listeners(
  config: Pick<Config, 'pop3' | 'pop3s'>,
  ports: { readonly pop3Port: number; readonly pop3sPort: number | undefined },
  details: Readonly<Record<string, unknown>> = {},
): Listener[] {
  const stls = ports.pop3sPort !== undefined;
  return [
    { protocol: 'pop3', host: config.pop3.host, port: ports.pop3Port, details: { stls, ...details } },
    ...(ports.pop3sPort === undefined ? [] : [{ protocol: 'pop3s', host: config.pop3s.host, port: ports.pop3sPort, details } as const]),
  ];
}

/** Push3, and Prometheus beside it when enabled. */
export function push3Listeners(
  config: Pick<Config, 'push3' | 'prometheus'>,
  ports: { readonly port: number; readonly prometheusPort?: number },
): Listener[] {
  return [
    { protocol: 'push3', host: config.push3.host, port: ports.port },
    ...(ports.prometheusPort === undefined ? [] : [{ protocol: 'prometheus', host: config.prometheus.host, port: ports.prometheusPort } as const]),
  ];
}
