import { readFile } from 'node:fs/promises';
import { createSecureContext, type SecureContext } from 'node:tls';

/** PEM files, as configured under `tls` (already resolved against the config file's folder). */
export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
}

/**
 * The server certificate as a swappable SecureContext. Every handshake asks for `current()`, so a reload
 * (SIGHUP, after a renewal) applies to the next handshake while established sessions keep theirs.
 */
export interface TlsCredentials {
  current(): SecureContext;
  /** Re-reads the files. When they are unreadable or do not match, rejects and keeps the context it had. */
  reload(): Promise<void>;
}

async function readContext(files: TlsFiles): Promise<SecureContext> {
  const [cert, key] = await Promise.all([readFile(files.cert), readFile(files.key)]).catch((error: unknown) => {
    throw new Error(`cannot read TLS certificate or key: ${(error as Error).message}`, { cause: error });
  });
  try {
    // Also checks that the key belongs to the certificate.
    return createSecureContext({ cert, key, minVersion: 'TLSv1.2' });
  } catch (error) {
    throw new Error(`TLS certificate ${files.cert} or key ${files.key} is unusable: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Rejects (so the daemon does not start) when the files cannot be used. */
export async function loadTlsCredentials(files: TlsFiles): Promise<TlsCredentials> {
  let context = await readContext(files);
  return {
    current: () => context,
    async reload() {
      context = await readContext(files);
    },
  };
}

/** The `tls` config section as files, when a certificate is configured (the schema allows both or neither). */
export function configuredTls(tls: { readonly cert?: string; readonly key?: string }): TlsFiles | undefined {
  return tls.cert !== undefined && tls.key !== undefined ? { cert: tls.cert, key: tls.key } : undefined;
}
