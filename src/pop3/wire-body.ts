import { Observable, type OperatorFunction } from 'rxjs';
import { newBodyEncoder } from './kernel-wire-body-encoder.js';

const LF = 0x0a;
const CR = 0x0d;

/**
 * The body of a multi-line reply as it goes on the wire (RFC 1939 §3): every line end becomes CRLF,
 * a line starting with "." gets one more, and the reply ends with "." CRLF on a line of its own.
 * See KernelWireBodyEncoder and WireBodyEncoder: memory does not grow with the message, and chunks that
 * need no change pass as they are.
 */
export function toWireBody(): OperatorFunction<Buffer, Buffer> {
  return (source) =>
    new Observable<Buffer>((subscriber) => {
      const encoder = newBodyEncoder();
      const emit = (out: Buffer): void => subscriber.next(out);
      return source.subscribe({
        next: (chunk) => encoder.encode(chunk, emit),
        error: (error: unknown) => subscriber.error(error),
        complete() {
          subscriber.next(encoder.end());
          subscriber.complete();
        },
      });
    });
}

/**
 * The reply to a RETR of a message read whole: the status line, the wire form (what toWireBody gives for
 * it as one chunk) and the terminator in one buffer, so that it leaves in one plain write instead of a
 * writev of a string and buffers. `bodyOctets` counts the wire form with its terminator.
 */
export function wholeWireReply(status: string, stored: Buffer): { readonly wire: Buffer; readonly bodyOctets: number } {
  const encoder = newBodyEncoder();
  const head = Buffer.from(status);
  const parts: Buffer[] = [head];
  encoder.encode(stored, (chunk) => parts.push(chunk));
  parts.push(encoder.end());
  let octets = 0;
  for (const part of parts) octets += part.length;
  return { wire: Buffer.concat(parts, octets), bodyOctets: octets - head.length };
}

/**
 * TOP's cut (RFC 1939 §7): the header, the blank line after it, then at most `bodyLines` lines of
 * the body. Completing early unsubscribes the source, which stops reading the file.
 */
export function headerAndLines(bodyLines: number): OperatorFunction<Buffer, Buffer> {
  return (source) =>
    new Observable<Buffer>((subscriber) => {
      let inBody = false;
      let remaining = bodyLines;
      let carried = 0; // octets of the current line that arrived in earlier chunks
      let carriedEndsWithCR = false;
      return source.subscribe({
        next(chunk) {
          let from = 0;
          for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, from)) {
            const segment = lf - from;
            const endsWithCR = segment > 0 ? chunk[lf - 1] === CR : carriedEndsWithCR;
            const length = carried + segment;
            const blank = length === 0 || (length === 1 && endsWithCR);
            if (inBody) remaining -= 1;
            else if (blank) inBody = true;
            from = lf + 1;
            carried = 0;
            carriedEndsWithCR = false;
            if (inBody && remaining <= 0) {
              subscriber.next(chunk.subarray(0, from));
              subscriber.complete();
              return;
            }
          }
          if (from < chunk.length) {
            carried += chunk.length - from;
            carriedEndsWithCR = chunk[chunk.length - 1] === CR;
          }
          subscriber.next(chunk);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}
