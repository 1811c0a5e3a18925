import { Observable, type OperatorFunction } from 'rxjs';

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const CRLF = Buffer.from('\r\n');
const STUFFED_DOT = Buffer.from('.');
const TERMINATOR = Buffer.from('.\r\n');

/**
 * The body of a multi-line reply as it goes on the wire (RFC 1939 §3): every line end becomes CRLF,
 * a line starting with "." gets one more, and the reply ends with "." CRLF on a line of its own.
 * Works chunk by chunk, carrying only two flags across chunk borders, so memory does not grow with
 * the message; chunks without bare LF or leading dots pass through as zero-copy slices.
 */
export function toWireBody(): OperatorFunction<Buffer, Buffer> {
  return (source) =>
    new Observable<Buffer>((subscriber) => {
      let atLineStart = true;
      let previousWasCR = false;
      return source.subscribe({
        next(chunk) {
          if (chunk.length === 0) return;
          const parts: Buffer[] = [];
          let from = 0;
          if (atLineStart && chunk[0] === DOT) parts.push(STUFFED_DOT);
          for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, lf + 1)) {
            const hasCR = lf > 0 ? chunk[lf - 1] === CR : previousWasCR;
            if (!hasCR) {
              if (lf > from) parts.push(chunk.subarray(from, lf));
              parts.push(CRLF);
              from = lf + 1;
            }
            if (chunk[lf + 1] === DOT) {
              if (lf + 1 > from) parts.push(chunk.subarray(from, lf + 1));
              parts.push(STUFFED_DOT);
              from = lf + 1;
            }
          }
          if (from < chunk.length) parts.push(from === 0 ? chunk : chunk.subarray(from));
          const last = chunk[chunk.length - 1];
          atLineStart = last === LF;
          previousWasCR = last === CR;
          subscriber.next(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
        },
        error: (error: unknown) => subscriber.error(error),
        complete() {
          subscriber.next(atLineStart ? TERMINATOR : Buffer.concat([CRLF, TERMINATOR]));
          subscriber.complete();
        },
      });
    });
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
