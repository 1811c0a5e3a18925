import type { Logger } from 'pino';

/** SIGHUP re-reads a listener's certificate; an unusable new one is logged and the old one kept. */
export async function reloadCertificate(reload: (() => Promise<void>) | undefined, logger: Logger, which: string): Promise<void> {
  await reload?.().then(
    () => logger.info({ event: 'tls-reloaded' }, `${which} TLS certificate reloaded`),
    (error: unknown) => logger.error({ event: 'tls-reload-failed', reason: (error as Error).message }, `keeping the old ${which} TLS certificate`),
  );
}
