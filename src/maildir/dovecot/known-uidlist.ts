/**
 * A read dovecot-uidlist with its records found by base name. A listing and the list mostly run in the same
 * order (UIDs were given in listing order), so records are matched by walking both; the name index, which
 * hashes every name of the list, is built only when the walk meets a name out of step.
 */
import type { Uidlist, UidlistRecord } from './uidlist-file.js';

type Listed = readonly { readonly baseName: string }[];

export class KnownUidlist {
  readonly uidlist: Uidlist;
  #indexByName: Map<string, number> | undefined;
  /** match() of each listing asked for, while the listing lives. */
  readonly #matched = new WeakMap<Listed, readonly (UidlistRecord | undefined)[]>();

  constructor(uidlist: Uidlist) {
    this.uidlist = uidlist;
  }

  /** The record of the message with this base name. */
  get(baseName: string): UidlistRecord | undefined {
    const index = this.#index().get(baseName);
    return index === undefined ? undefined : this.uidlist.records[index];
  }

  /** The record of each listed message (undefined: not in the list), by the listing's index. */
  match(listing: Listed): readonly (UidlistRecord | undefined)[] {
    let matched = this.#matched.get(listing);
    if (matched !== undefined) return matched;
    const { records } = this.uidlist;
    const out = new Array<UidlistRecord | undefined>(listing.length);
    let next = 0;
    for (let i = 0; i < listing.length; i++) {
      const { baseName } = listing[i]!;
      if (records[next]?.baseName === baseName) {
        out[i] = records[next++];
        continue;
      }
      const at = this.#index().get(baseName);
      out[i] = at === undefined ? undefined : records[at];
      if (at !== undefined) next = at + 1;
    }
    matched = out;
    this.#matched.set(listing, matched);
    return matched;
  }

  /** Whether every listed message has a UID. */
  covers(listing: Listed): boolean {
    return this.match(listing).every((record) => record !== undefined);
  }

  #index(): Map<string, number> {
    this.#indexByName ??= new Map(this.uidlist.records.map((record, i) => [record.baseName, i]));
    return this.#indexByName;
  }
}
