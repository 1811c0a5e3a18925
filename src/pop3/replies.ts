import { Observable, of } from 'rxjs';
import type { Outbound } from '../net/connection.js';

/** RFC 2449 / RFC 3206 response codes this server uses. */
export type ResponseCode = 'IN-USE' | 'LOGIN-DELAY' | 'SYS/TEMP' | 'SYS/PERM' | 'AUTH';

/** A reply: whether it is positive (for metrics and logs) and the octets that carry it. */
export interface Reply {
  readonly ok: boolean;
  readonly out$: Observable<Outbound>;
}

const CRLF = '\r\n';

/** `1 message`, `2 messages`: a count as the status lines say it. */
export const messageCount = (count: number): string => (count === 1 ? '1 message' : `${count} messages`);

const statusLine = (status: '+OK' | '-ERR', text: string, code?: ResponseCode): string =>
  `${status}${code ? ` [${code}]` : ''}${text ? ` ${text}` : ''}${CRLF}`;

export const ok = (text: string, code?: ResponseCode): Reply => ({ ok: true, out$: of(statusLine('+OK', text, code)) });

export const err = (text: string, code?: ResponseCode): Reply => ({ ok: false, out$: of(statusLine('-ERR', text, code)) });

/** A short multi-line reply built in memory (CAPA, LIST, UIDL): dot-stuffed and terminated. */
export function multiline(text: string, lines: readonly string[]): Reply {
  const body = lines.map((line) => (line.startsWith('.') ? `.${line}` : line) + CRLF).join('');
  return { ok: true, out$: of(statusLine('+OK', text) + body + `.${CRLF}`) };
}

/**
 * A multi-line reply whose body is a stream already in wire form (see toWireBody). The status line
 * is sent only once the body has produced its first chunk, so a message that cannot be read gets a
 * clean `-ERR` instead of a broken reply; a failure after that point cannot be repaired in-band and
 * errors the stream (the connection is then closed).
 */
export function streamed(text: string, body$: Observable<Buffer>, unreadable: Reply): Reply {
  const out$ = new Observable<Outbound>((subscriber) => {
    let started = false;
    const start = (): void => {
      if (!started) subscriber.next(statusLine('+OK', text));
      started = true;
    };
    return body$.subscribe({
      next(chunk) {
        start();
        subscriber.next(chunk);
      },
      error(error: unknown) {
        if (started) subscriber.error(error);
        else unreadable.out$.subscribe(subscriber);
      },
      complete() {
        start();
        subscriber.complete();
      },
    });
  });
  return { ok: true, out$ };
}
