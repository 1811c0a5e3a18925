/**
 * Message numbers and UIDLs of a maildrop in uidlist mode, as Dovecot's POP3 gives them: messages with a POP3
 * order field (`O`) first, by it, then the rest in UID order; the UIDL is the record's stored `P` field when it
 * has one (Dovecot's pop3_save_uidl), else the format expanded with the UID, UIDVALIDITY and base name (or the
 * record's `G` GUID, which Dovecot's `%f` means). Pure; results are cached per listing and list, and a UIDL is
 * worked out when first asked for (STAT and LIST never do).
 */
import { uidFor } from '../name.js';
import { expandUidl, type UidlFormat } from './uidl-format.js';
import { extensionOf, type UidlistRecord } from './uidlist-file.js';
import type { KnownUidlist } from './known-uidlist.js';

export interface Numbered<M> {
  /** The messages in POP3 number order. */
  readonly messages: readonly M[];
  /** The UIDL of messages[index]. */
  readonly uidAt: (index: number) => string;
}

const cache = new WeakMap<readonly unknown[], { readonly list: KnownUidlist; readonly format: UidlFormat; readonly result: Numbered<unknown> }>();

function noUid(baseName: string): never {
  throw new Error(`no UID for ${baseName}`);
}

function orderOf(record: UidlistRecord): number {
  const order = record.extensions.length === 0 ? undefined : extensionOf(record, 'O');
  const value = order === undefined ? Number.NaN : Number(order);
  return Number.isFinite(value) ? value : Number.POSITIVE_INFINITY;
}

export function uidlOf(record: UidlistRecord, uidValidity: number, format: UidlFormat): string {
  const stored = record.extensions.length === 0 ? undefined : extensionOf(record, 'P');
  if (stored !== undefined && stored !== '') return uidFor(stored);
  const fileName = (record.extensions.length === 0 ? undefined : extensionOf(record, 'G')) ?? record.baseName;
  return uidFor(expandUidl(format, { uid: record.uid, uidValidity, fileName }));
}

/** `listing` numbered by `list`; every listed message must have a record there (UidlistStore.sync sees to it). */
export function numberByUid<M extends { readonly baseName: string }>(
  listing: readonly M[],
  list: KnownUidlist,
  format: UidlFormat,
): Numbered<M> {
  const hit = cache.get(listing);
  if (hit !== undefined && hit.list === list && hit.format === format) return hit.result as Numbered<M>;
  const records = list.match(listing).map((record, i) => record ?? noUid(listing[i]!.baseName));
  const orders = records.map(orderOf);
  // Mail that arrived in order got its UIDs in order: most listings are sorted already, and need no sort.
  const sorted = records.every((r, i) => i === 0 || orders[i - 1]! < orders[i]! || (orders[i - 1] === orders[i] && records[i - 1]!.uid < r.uid));
  const order = listing.map((_, i) => i);
  if (!sorted) order.sort((a, b) => (orders[a] !== orders[b] ? (orders[a]! < orders[b]! ? -1 : 1) : records[a]!.uid - records[b]!.uid));
  const uidls: (string | undefined)[] = new Array<string | undefined>(order.length);
  const { uidValidity } = list.uidlist;
  const result: Numbered<M> = {
    messages: sorted ? listing : order.map((i) => listing[i]!),
    uidAt: (index) => (uidls[index] ??= uidlOf(records[order[index]!]!, uidValidity, format)),
  };
  cache.set(listing, { list, format, result });
  return result;
}
