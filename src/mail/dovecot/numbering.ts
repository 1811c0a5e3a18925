/**
 * Message numbers and UIDLs of a maildrop in uidlist mode, as Dovecot's POP3 gives them: messages with a POP3
 * order field (`O`) first, by it, then the rest in UID order; the UIDL is the record's stored `P` field when it
 * has one (Dovecot's pop3_save_uidl), else the format expanded with the UID, UIDVALIDITY and base name (or the
 * record's `G` GUID, which Dovecot's `%f` means). Pure; results are cached per listing and list.
 */
import { uidFor } from '../maildir-name.js';
import { expandUidl, type UidlFormat } from './uidl-format.js';
import { extensionOf, type UidlistRecord } from './uidlist-file.js';
import type { KnownUidlist } from './uidlist-store.js';

export interface Numbered<M> {
  /** The messages in POP3 number order. */
  readonly messages: readonly M[];
  /** Their UIDLs, by the same index. */
  readonly uids: readonly string[];
}

interface Keyed<M> {
  readonly message: M;
  readonly record: UidlistRecord;
  readonly order: number;
}

const cache = new WeakMap<readonly unknown[], { readonly list: KnownUidlist; readonly format: UidlFormat; readonly result: Numbered<unknown> }>();

/** `listing` numbered by `list`; every listed message must have a record there (UidlistStore.sync sees to it). */
export function numberByUid<M extends { readonly baseName: string }>(
  listing: readonly M[],
  list: KnownUidlist,
  format: UidlFormat,
): Numbered<M> {
  const hit = cache.get(listing);
  if (hit !== undefined && hit.list === list && hit.format === format) return hit.result as Numbered<M>;
  const keyed: Keyed<M>[] = listing.map((message) => {
    const record = list.byBaseName.get(message.baseName);
    if (record === undefined) throw new Error(`no UID for ${message.baseName}`);
    const order = Number(extensionOf(record, 'O') ?? Number.POSITIVE_INFINITY);
    return { message, record, order: Number.isFinite(order) ? order : Number.POSITIVE_INFINITY };
  });
  keyed.sort((a, b) => (a.order !== b.order ? (a.order < b.order ? -1 : 1) : a.record.uid - b.record.uid));
  const { uidValidity } = list.uidlist;
  const result: Numbered<M> = {
    messages: keyed.map((k) => k.message),
    uids: keyed.map(({ record }) => {
      const stored = extensionOf(record, 'P');
      if (stored !== undefined && stored !== '') return uidFor(stored);
      const fileName = extensionOf(record, 'G') ?? record.baseName;
      return uidFor(expandUidl(format, { uid: record.uid, uidValidity, fileName }));
    }),
  };
  cache.set(listing, { list, format, result });
  return result;
}
