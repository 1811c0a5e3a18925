import { Transform, type TransformCallback } from 'node:stream';

const LF = 0x0a;

/**
 * Bounds what a peer can make us buffer: forwards only complete lines (ending in LF), and of an
 * over-long line only its first `maxOctets + 1` octets, so the splitter after it still sees that the
 * line was too long while the rest of it is dropped as it arrives. A partial line at end of input is
 * dropped too: a command the client never finished is not a command.
 */
export function lineGuard(maxOctets: number): Transform {
  let pending: Buffer[] = [];
  let kept = 0; // octets of the current line held in `pending`
  const keep = (part: Buffer): void => {
    const room = maxOctets + 1 - kept;
    if (room <= 0 || part.length === 0) return;
    // Copy: a view would pin the peer's whole (possibly large) chunk in memory.
    const slice = Buffer.from(part.length > room ? part.subarray(0, room) : part);
    pending.push(slice);
    kept += slice.length;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      const out: Buffer[] = [];
      let from = 0;
      for (let lf = chunk.indexOf(LF, from); lf !== -1; lf = chunk.indexOf(LF, from)) {
        keep(chunk.subarray(from, lf));
        out.push(...pending, LINE_END);
        pending = [];
        kept = 0;
        from = lf + 1;
      }
      keep(chunk.subarray(from));
      done(null, out.length > 0 ? Buffer.concat(out) : undefined);
    },
  });
}

const LINE_END = Buffer.from('\n');
