import { createReadStream } from 'node:fs';

const LF = 0x0a;

/**
 * Running count over a byte stream, in chunks. Only the last byte is carried across chunk borders: it says
 * whether a leading LF completes a CRLF, and at the end whether the sender must terminate the last line.
 */
export interface SizeTally {
  /** Octets as stored. */
  readonly stored: number;
  /** Octets with every bare LF turned into CRLF. */
  readonly expanded: number;
  /** The last byte seen; undefined until a non-empty chunk arrives. */
  readonly lastByte: number | undefined;
}

export const emptyTally: SizeTally = { stored: 0, expanded: 0, lastByte: undefined };

/** The tally after `chunk`. Pure: the caller threads the state. */
export function addChunk(tally: SizeTally, chunk: Uint8Array): SizeTally {
  if (chunk.length === 0) return tally;
  return {
    stored: tally.stored + chunk.length,
    expanded: tally.expanded + chunk.length + bareLineFeeds(chunk, 0, tally.lastByte),
    lastByte: chunk[chunk.length - 1],
  };
}

/**
 * The LFs in `chunk[start..end)` without a CR before them, each of which the wire form turns into CRLF.
 * `before` is the octet ahead of `start` (undefined or -1 at the start of a message). The one count of
 * line-end expansion: the tally above, the POP3 body encoder and the measuring threads all use it. The threads
 * run it from its source text (measure-pool.ts), so it stays self-contained: literals, no module constants.
 */
export function bareLineFeeds(chunk: Uint8Array, start: number, before: number | undefined, end: number = chunk.length): number {
  let count = 0;
  for (let lf = chunk.indexOf(0x0a, start); lf !== -1 && lf < end; lf = chunk.indexOf(0x0a, lf + 1)) {
    if ((lf > start ? chunk[lf - 1] : before) !== 0x0d) count += 1;
  }
  return count;
}

/** What measureFiles counts bare LFs with: bareLineFeeds, passed in so that the threads can run the same code. */
export type CountBareLineFeeds = typeof bareLineFeeds;

/**
 * POP3 wire size (RFC 1939 LIST/STAT): CRLF line endings, plus the CRLF the sender adds to an unterminated
 * last line, so the announced size matches what RETR sends (before dot-stuffing).
 */
export function wireSize(tally: SizeTally): number {
  const unterminated = tally.lastByte !== undefined && tally.lastByte !== LF;
  return tally.expanded + (unterminated ? 2 : 0);
}

/** Wire size of a file, streamed so a large message never sits in memory. */
export async function wireSizeOfFile(path: string): Promise<number> {
  let tally = emptyTally;
  for await (const chunk of createReadStream(path)) tally = addChunk(tally, chunk as Buffer);
  return wireSize(tally);
}

/** Sizes recorded in a Maildir++ / Dovecot base name (`...,S=<stored>,W=<wire>`). */
export interface NameSizes {
  readonly stored?: number;
  readonly wire?: number;
}

const SIZE_FIELD = /,([SW])=(\d+)(?=,|$)/g;

/** The `S=` and `W=` fields of a base name (without the `:2,` info); absent fields are undefined. */
export function parseNameSizes(baseName: string): NameSizes {
  let sizes: NameSizes = {};
  for (const [, key, digits] of baseName.matchAll(SIZE_FIELD)) {
    const value = Number(digits);
    if (!Number.isSafeInteger(value)) continue;
    sizes = key === 'S' ? { ...sizes, stored: value } : { ...sizes, wire: value };
  }
  return sizes;
}
