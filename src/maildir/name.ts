import { createHash, randomBytes } from 'node:crypto';
import { nameBytes } from './file-names.js';

/** A Maildir file name split into the message's permanent base name and its mutable info flags. */
export interface MaildirName {
  /** Identifies the message for life: unchanged when it moves new/ → cur/ or its flags change. */
  readonly baseName: string;
  /** Flags after `:2,` (or Dovecot's `!2,` on filesystems without `:`); empty when there is no info. */
  readonly flags: string;
}

/**
 * Where the info part starts (`:2,` or Dovecot's `!2,` on filesystems without `:`), or -1. It is the last `:`
 * or `!` of the name, since the flags after it hold neither, and something must precede it.
 */
function infoAt(fileName: string): number {
  const at = Math.max(fileName.lastIndexOf(':'), fileName.lastIndexOf('!'));
  return at > 0 && fileName.startsWith('2,', at + 1) ? at : -1;
}

export function parseMaildirName(fileName: string): MaildirName {
  const at = infoAt(fileName);
  return at === -1 ? { baseName: fileName, flags: '' } : { baseName: fileName.slice(0, at), flags: fileName.slice(at + 3) };
}

/** parseMaildirName(fileName).baseName, without the object (100,000 names per listing). */
export function baseNameOf(fileName: string): string {
  const at = infoAt(fileName);
  return at === -1 ? fileName : fileName.slice(0, at);
}

const LEADING_SECONDS = /^\d+(?=\.|$)/u;

/** What messages are ordered by; computed once per name when sorting many (see compareSortKeys). */
export interface SortKey {
  /** Delivery time in seconds; names without one sort after all that have one. */
  readonly seconds: number;
  /** The microseconds of the `M<usecs>` part of the unique part (Maildir's `<secs>.M<usecs>P<pid>...`), or -1. */
  readonly usecs: number;
  readonly rest: string;
  readonly baseName: string;
}

export function sortKey(baseName: string): SortKey {
  const digits = LEADING_SECONDS.exec(baseName)?.[0];
  return digits === undefined
    ? { seconds: Number.POSITIVE_INFINITY, usecs: -1, rest: baseName, baseName }
    : { seconds: Number(digits), usecs: usecsOf(baseName, digits.length), rest: baseName.slice(digits.length), baseName };
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The microseconds in the unique part that follows the seconds at `from` (`.M<usecs>...` up to the next `.`),
 * or -1 when there are none, as Dovecot's maildir_fname_get_usecs reads them.
 */
export function usecsOf(baseName: string, from: number): number {
  if (baseName.charCodeAt(from) !== 0x2e) return -1;
  for (let at = from + 1; at < baseName.length; at++) {
    const c = baseName.charCodeAt(at);
    if (c === 0x2e) return -1;
    if (c !== 0x4d) continue;
    let value = 0;
    for (let d = baseName.charCodeAt(++at); d >= 0x30 && d <= 0x39; d = baseName.charCodeAt(++at)) value = value * 10 + d - 0x30;
    return value;
  }
  return -1;
}

/**
 * Oldest first, as Dovecot sorts new Maildir files (maildir_filename_sort_cmp): numerically by the leading
 * timestamp (so `999...` precedes `1000...`), then by the `M<usecs>` microseconds when both names have them
 * (two deliveries in one second by parallel processes, whose inode parts say nothing of their order), then by
 * the rest of the name; code-unit order rather than locale order, so numbering never depends on the environment.
 */
export function compareBaseNames(a: string, b: string): number {
  return compareSortKeys(sortKey(a), sortKey(b));
}

/** compareBaseNames on precomputed keys: sorting 100,000 names then parses each name once, not 30 times. */
export function compareSortKeys(ka: SortKey, kb: SortKey): number {
  if (ka.seconds !== kb.seconds) return ka.seconds < kb.seconds ? -1 : 1;
  if (ka.usecs !== kb.usecs && ka.usecs >= 0 && kb.usecs >= 0) return ka.usecs < kb.usecs ? -1 : 1;
  return compareStrings(ka.rest, kb.rest) || compareStrings(ka.baseName, kb.baseName);
}

/** Length of the leading seconds (digits followed by `.` or the end, as LEADING_SECONDS), or 0 when none. */
function secondsLength(baseName: string): number {
  let end = 0;
  while (end < baseName.length && baseName.charCodeAt(end) >= 0x30 && baseName.charCodeAt(end) <= 0x39) end++;
  return end === baseName.length || baseName.charCodeAt(end) === 0x2e ? end : 0;
}

/** Digit strings of equal length up to this long are equal exactly when their numbers are (below 2^53). */
const EXACT_DIGITS = 15;

/**
 * The indexes of `names` in compareBaseNames order of the names (equal names in index order), without a key
 * object per name: the seconds, their length and the microseconds go in typed arrays; two names whose seconds are spelled alike
 * compare as whole strings (their common prefix decides nothing), and only other ties (leading zeros, huge
 * numbers) take compareBaseNames.
 */
export function oldestFirstOrder(names: readonly string[]): number[] {
  const seconds = new Float64Array(names.length);
  const lengths = new Uint32Array(names.length);
  const usecs = new Float64Array(names.length);
  names.forEach((name, i) => {
    const length = secondsLength(name);
    lengths[i] = length;
    usecs[i] = length === 0 ? -1 : usecsOf(name, length);
    if (length === 0 || length > EXACT_DIGITS) {
      seconds[i] = length === 0 ? Number.POSITIVE_INFINITY : Number(name.slice(0, length));
      return;
    }
    // Digit by digit rather than Number(slice), which would make a string per name: exact at this length.
    let value = 0;
    for (let at = 0; at < length; at++) value = value * 10 + name.charCodeAt(at) - 0x30;
    seconds[i] = value;
  });
  const byKey = orderByTimeKeys(seconds, usecs);
  if (byKey !== undefined) return byKey;
  // Array.prototype.sort is stable: equal names keep their index order.
  return Array.from(names, (_, i) => i).sort((a, b) => {
    if (seconds[a] !== seconds[b]) return seconds[a]! < seconds[b]! ? -1 : 1;
    if (usecs[a] !== usecs[b] && usecs[a]! >= 0 && usecs[b]! >= 0) return usecs[a]! < usecs[b]! ? -1 : 1;
    if (lengths[a] === lengths[b] && lengths[a]! <= EXACT_DIGITS) return compareStrings(names[a]!, names[b]!);
    return compareBaseNames(names[a]!, names[b]!);
  });
}

/** Seconds and microseconds in one number stay exact up to here (seconds below about 9e9, past the year 2255). */
const MAX_TIME_KEY = Number.MAX_SAFE_INTEGER;

/**
 * The order of the names when every one has seconds and microseconds (the usual Maildir names) and no two share
 * both: then `seconds * 1e6 + usecs` orders them as compareBaseNames does, and a typed array sorts those keys
 * natively, five times as fast as a comparator over 100,000 indexes. Undefined otherwise (a tie needs the names).
 */
function orderByTimeKeys(seconds: Float64Array, usecs: Float64Array): number[] | undefined {
  const keys = new Float64Array(seconds.length);
  for (let i = 0; i < keys.length; i++) {
    const micros = usecs[i]!;
    if (!(micros >= 0 && micros < 1e6)) return undefined;
    const key = seconds[i]! * 1e6 + micros;
    if (!(key <= MAX_TIME_KEY)) return undefined;
    keys[i] = key;
  }
  const sorted = keys.slice().sort();
  for (let at = 1; at < sorted.length; at++) if (sorted[at] === sorted[at - 1]) return undefined;
  // Each name's place is where its key is among the sorted ones (all distinct).
  const order = new Array<number>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    let low = 0;
    let high = sorted.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (sorted[middle]! < key) low = middle + 1;
      else high = middle;
    }
    order[low] = i;
  }
  return order;
}

const UIDL_SAFE = /^[\x21-\x7e]{1,70}$/u;

/**
 * RFC 1939 UIDL of a message: its base name when that is a legal unique-id (1..70 octets 0x21..0x7E),
 * else the SHA-1 of it. Both depend on the base name alone, so they survive restarts and flag changes.
 */
export function uidFor(baseName: string): string {
  // The name's bytes on disk: two names that differ only in bytes that are not UTF-8 get different UIDLs.
  return UIDL_SAFE.test(baseName) ? baseName : createHash('sha1').update(nameBytes(baseName)).digest('hex');
}

/** Per-process delivery counter (the `Q` part): distinguishes names made in the same microsecond. */
let deliveries = 0;

/** Maildir spec: `/` and `:` in the host name would break the path or the info separator. */
function escapeHost(hostname: string): string {
  return hostname.replaceAll('/', '\\057').replaceAll(':', '\\072');
}

/**
 * A fresh unique name, `<secs>.M<usecs>P<pid>Q<counter>R<random>.<host>`: time, process, counter and
 * randomness together keep it unique across processes and hosts sharing the Maildir.
 * `now` is in milliseconds since the epoch (fractions give the microseconds).
 */
export function newUniqueName(options: { readonly now: number; readonly hostname: string }): string {
  const seconds = Math.floor(options.now / 1000);
  const micros = Math.floor((options.now - seconds * 1000) * 1000);
  deliveries += 1;
  const random = randomBytes(8).toString('hex');
  return `${seconds}.M${micros}P${process.pid}Q${deliveries}R${random}.${escapeHost(options.hostname)}`;
}

/**
 * The name a delivered message gets in new/: sizes appended Dovecot-style, so listing needs no scan.
 * Separate from `newUniqueName` because the tmp/ file is named before its sizes are known.
 */
export function withSizeFields(uniqueName: string, sizes: { readonly size: number; readonly wireSize: number }): string {
  return `${uniqueName},S=${sizes.size},W=${sizes.wireSize}`;
}
