import { Observable } from 'rxjs';
import type { Outbound } from '../net/connection.js';

/** RFC 2449 / RFC 3206 response codes this server uses. */
export type ResponseCode = 'IN-USE' | 'LOGIN-DELAY' | 'SYS/TEMP' | 'SYS/PERM' | 'AUTH';

/**
 * A reply: whether it is positive (for metrics and logs) and the octets that carry it, either known when
 * its command is stepped (most replies: one string, written at once) or a stream that starts when the
 * reply's turn comes (a message read from its file, QUIT's commit). `sent`, when set, is called once the
 * reply has gone out in full (the command's latency).
 */
export type Reply = InstantReply | StreamedReply;

export interface InstantReply {
  readonly ok: boolean;
  readonly wire: string;
  readonly sent?: () => void;
}

export interface StreamedReply {
  readonly ok: boolean;
  readonly wire$: Observable<Outbound>;
  readonly sent?: () => void;
}

/** The reply with `sent` set: fields named rather than spread, as the two kinds have different shapes. */
export const withSent = (reply: Reply, sent: () => void): Reply =>
  'wire' in reply ? { ok: reply.ok, wire: reply.wire, sent } : { ok: reply.ok, wire$: reply.wire$, sent };

const CRLF = '\r\n';

/** `1 message`, `2 messages`: a count as the status lines say it. */
export const messageCount = (count: number): string => (count === 1 ? '1 message' : `${count} messages`);

export const statusLine = (status: '+OK' | '-ERR', text: string, code?: ResponseCode): string =>
  `${status}${code ? ` [${code}]` : ''}${text ? ` ${text}` : ''}${CRLF}`;

export const ok = (text: string, code?: ResponseCode): InstantReply => ({ ok: true, wire: statusLine('+OK', text, code) });

export const err = (text: string, code?: ResponseCode): InstantReply => ({ ok: false, wire: statusLine('-ERR', text, code) });

/** A short multi-line reply built in memory (CAPA, LIST, UIDL): dot-stuffed and terminated. */
export function multiline(text: string, lines: readonly string[]): InstantReply {
  let wire = statusLine('+OK', text);
  for (const line of lines) wire += (line.startsWith('.') ? `.${line}` : line) + CRLF;
  return { ok: true, wire: wire + `.${CRLF}` };
}

/**
 * A multi-line reply whose body is a stream already in wire form (see toWireBody). The status line
 * is sent only once the body has produced its first chunk, so a message that cannot be read gets a
 * clean `-ERR` instead of a broken reply; a failure after that point cannot be repaired in-band and
 * errors the stream (the connection is then closed).
 */
export function streamed(text: string, body$: Observable<Buffer>, unreadable: InstantReply): StreamedReply {
  const wire$ = new Observable<Outbound>((subscriber) => {
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
        else {
          subscriber.next(unreadable.wire);
          subscriber.complete();
        }
      },
      complete() {
        start();
        subscriber.complete();
      },
    });
  });
  return { ok: true, wire$ };
}
