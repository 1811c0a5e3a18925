import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';

/**
 * Plaintext the peer sent before TLS was agreed must never be read as commands, nor fed to the TLS layer
 * (RFC 2595 §4, the STARTTLS command injection of CVE-2011-0411): stop reading and drop what is buffered.
 * Call it in the same tick as the STLS reply is written, before the peer can have answered it.
 */
export function discardPlaintext(socket: Socket): void {
  socket.pause();
  while (socket.read() !== null);
}

/**
 * Server side of a TLS handshake on an accepted socket: resolves with the secured socket, or rejects on a
 * failed or too slow handshake (the caller then closes this one connection).
 */
export function serverHandshake(socket: Socket, context: SecureContext, timeoutMs: number): Promise<TLSSocket> {
  const secure = new TLSSocket(socket, { isServer: true, secureContext: context });
  // Errors after the outcome is known show up as a close, which the connection already handles.
  secure.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => settle(new Error('TLS handshake timed out')), timeoutMs);
    const settle = (error?: Error): void => {
      clearTimeout(timer);
      secure.off('secure', succeeded).off('error', settle).off('close', closed);
      if (error === undefined) resolve(secure);
      else reject(error);
    };
    const succeeded = (): void => settle();
    const closed = (): void => settle(new Error('connection closed during the TLS handshake'));
    secure.once('secure', succeeded).once('error', settle).once('close', closed);
  });
}
