/**
 * Dovecot's `dovecot-uidlist`, format 3, read and written as Dovecot's maildir-uidlist.c does:
 *
 *     3 V<uidvalidity> N<nextuid> G<mailbox guid, 32 hex digits>[ <other header fields>]
 *     <uid>[ <key><value>]... :<base name>
 *
 * UIDs strictly ascending; record keys S (size), W (wire size), P (POP3 UIDL), O (POP3 order), G (GUID).
 * Pure: text in, a Uidlist out (or UidlistCorruptError), and back. Nothing here touches the disk.
 */

export interface UidlistRecord {
  readonly uid: number;
  /** Extension fields as written, key letter first (`PUIDL-1`, `W1234`), in file order. */
  readonly extensions: readonly string[];
  /** The message's base name: the file name without the `:2,` info. */
  readonly baseName: string;
}

export interface Uidlist {
  readonly uidValidity: number;
  /** The UID the next new message gets; above every listed UID. */
  readonly nextUid: number;
  /** The mailbox GUID, 32 lowercase hex digits. */
  readonly guid: string;
  /** Header fields other than V, N and G, kept as written. */
  readonly headerExtensions: readonly string[];
  /** In ascending UID order. */
  readonly records: readonly UidlistRecord[];
}

export class UidlistCorruptError extends Error {
  constructor(reason: string, line: number) {
    super(`dovecot-uidlist is corrupt at line ${line}: ${reason}`);
    this.name = 'UidlistCorruptError';
  }
}

/** Record keys Dovecot accepts (MAILDIR_UIDLIST_REC_EXT_KEY_IS_VALID); it drops others when it reads them. */
const RECORD_KEYS = new Set(['S', 'W', 'P', 'O', 'G']);
const MAX_UID = 0xffff_fffe;
const GUID = /^[0-9a-f]{32}$/u;
const UNSIGNED = /^\d{1,10}$/u;

function unsigned(text: string): number | undefined {
  if (!UNSIGNED.test(text)) return undefined;
  const value = Number(text);
  return value <= 0xffff_ffff ? value : undefined;
}

function parseHeader(line: string): Omit<Uidlist, 'records'> {
  if (!line.startsWith('3 ')) throw new UidlistCorruptError(`unsupported header "${line.slice(0, 20)}" (format 3 expected)`, 1);
  let uidValidity = 0;
  let nextUid = 0;
  let guid: string | undefined;
  const headerExtensions: string[] = [];
  for (const field of line.slice(2).split(' ')) {
    if (field === '') continue;
    const value = field.slice(1);
    if (field[0] === 'V' || field[0] === 'N') {
      const number = unsigned(value);
      if (number === undefined) throw new UidlistCorruptError(`invalid ${field[0]} field "${value}"`, 1);
      if (field[0] === 'V') uidValidity = number;
      else nextUid = number;
    } else if (field[0] === 'G') {
      if (!GUID.test(value.toLowerCase())) throw new UidlistCorruptError(`invalid mailbox GUID "${value}"`, 1);
      guid = value.toLowerCase();
    } else headerExtensions.push(field);
  }
  if (uidValidity === 0 || nextUid === 0) throw new UidlistCorruptError(`broken header (V${uidValidity} N${nextUid})`, 1);
  return { uidValidity, nextUid, guid: guid ?? '', headerExtensions };
}

function parseRecord(line: string, lineNumber: number): UidlistRecord {
  const space = line.indexOf(' ');
  const uid = space > 0 ? unsigned(line.slice(0, space)) : undefined;
  if (uid === undefined || uid === 0 || uid > MAX_UID) throw new UidlistCorruptError(`invalid data "${line.slice(0, 40)}"`, lineNumber);
  const colon = line.indexOf(' :', space - 1);
  if (colon === -1) throw new UidlistCorruptError('no ":<file name>" in the record', lineNumber);
  const baseName = line.slice(colon + 2);
  if (baseName.includes('/')) throw new UidlistCorruptError(`broken file name "${baseName.slice(0, 40)}"`, lineNumber);
  const extensions = line
    .slice(space + 1, colon)
    .split(' ')
    .filter((field) => field !== '' && RECORD_KEYS.has(field[0]!));
  return { uid, extensions, baseName };
}

/**
 * Reads a uidlist. An empty text is `undefined`: Dovecot deletes an empty list and starts a new one, as for a
 * missing one. Anything it cannot trust, including a last line without its newline (a write cut short), is a
 * UidlistCorruptError, so that no caller renumbers a Maildir from half a list.
 */
export function parseUidlist(text: string): Uidlist | undefined {
  if (text === '') return undefined;
  if (!text.endsWith('\n')) throw new UidlistCorruptError('the last line has no line end (truncated)', text.split('\n').length);
  const lines = text.slice(0, -1).split('\n');
  const header = parseHeader(lines[0]!);
  const records: UidlistRecord[] = [];
  const byName = new Map<string, number>();
  for (let i = 1; i < lines.length; i++) {
    const record = parseRecord(lines[i]!, i + 1);
    const previous = records.at(-1);
    if (previous !== undefined && record.uid <= previous.uid) {
      throw new UidlistCorruptError(`UIDs not ordered (${record.uid} after ${previous.uid})`, i + 1);
    }
    // A file listed twice: Dovecot keeps the later UID (an expunged file moved back and listed again).
    const earlier = byName.get(record.baseName);
    if (earlier !== undefined) records.splice(earlier, 1, { ...records[earlier]!, baseName: '' });
    byName.set(record.baseName, records.length);
    records.push(record);
  }
  const last = records.at(-1)?.uid ?? 0;
  return { ...header, nextUid: Math.max(header.nextUid, last + 1), records: records.filter((record) => record.baseName !== '') };
}

/** The file Dovecot would write for `uidlist` (maildir_uidlist_write_fd). */
export function formatUidlist(uidlist: Uidlist): string {
  const header = ['3', `V${uidlist.uidValidity}`, `N${uidlist.nextUid}`, `G${uidlist.guid}`, ...uidlist.headerExtensions].join(' ');
  // One string grown line by line (V8 keeps it as a rope until written): 100,000 records without a line array.
  let text = `${header}\n`;
  for (const { uid, extensions, baseName } of uidlist.records) {
    text += extensions.length === 0 ? `${uid} :${baseName}\n` : `${uid} ${extensions.join(' ')} :${baseName}\n`;
  }
  return text;
}

/** The value of a record's extension field `key`, if it has one. */
export function extensionOf(record: UidlistRecord, key: 'S' | 'W' | 'P' | 'O' | 'G'): string | undefined {
  return record.extensions.find((field) => field[0] === key)?.slice(1);
}
