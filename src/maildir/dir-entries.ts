import { opendirSync } from 'node:fs';
import { SLICE_MS, yieldToEventLoop } from '../process/slices.js';
import { hasEscapedBytes, nameFromBytes } from './file-names.js';

// Entries per getdents. Node's Dir hands them out with Array#shift, which may move the rest of its buffer each
// time: 128 read 100,000 entries a fifth faster than 1,024 while a listing's objects pile up, in few calls.
const DIR_BUFFER = 128;
const DOT = 0x2e;
/** What a byte sequence that is not UTF-8 decodes to. */
const REPLACEMENT = '\uFFFD';

/**
 * Calls `take` with the name of each regular file in the directory at `path`, but dotfiles (editor or tool
 * droppings, never mail), in slices that yield to the event loop. The entry's type says "regular file" without
 * a stat (Node stats only where the file system does not report types), so a symlink planted in a Maildir is
 * never taken: the daemon must not serve a file the user cannot read.
 *
 * Names are read as strings, which cost a third of the Buffers that byte-exact names need (and the GC less).
 * A name that is not valid UTF-8 decodes with U+FFFD in it and no longer leads back to its file: such names
 * are left out of the first pass and taken byte for byte, by nameFromBytes, in a second one (rare). `escaped`
 * tells whether the name holds escaped bytes (so that no caller need search 100,000 names for them).
 */
export async function readFileNames(path: string, take: (name: string, escaped: boolean) => void): Promise<void> {
  const undecodable = await readEntries(path, 'utf8', (name: string) => {
    if (name.includes(REPLACEMENT)) return true;
    take(name, false);
    return false;
  });
  if (undecodable === 0) return;
  // Exactly the names the first pass left out: Buffer#toString decodes as the directory reader does.
  await readEntries(path, 'buffer', (name: Buffer) => {
    if (!name.toString('utf8').includes(REPLACEMENT)) return false;
    const exact = nameFromBytes(name);
    take(exact, hasEscapedBytes(exact));
    return false;
  });
}

/** Calls `take` with the name of each regular file but dotfiles; returns how many names it returned true for. */
async function readEntries<Name extends string | Buffer>(
  path: string,
  encoding: Name extends string ? 'utf8' : 'buffer',
  take: (name: Name) => boolean,
): Promise<number> {
  // Node's types omit 'buffer' here; at run time it gives each entry's name as a Buffer, as readdir does.
  const handle = opendirSync(path, { bufferSize: DIR_BUFFER, encoding: encoding as BufferEncoding });
  let refused = 0;
  try {
    let sliceStart = performance.now();
    let count = 0;
    for (let entry = handle.readSync(); entry !== null; entry = handle.readSync()) {
      const name = entry.name as string | Buffer as Name;
      const first = typeof name === 'string' ? name.charCodeAt(0) : name[0];
      if (first !== DOT && entry.isFile() && take(name)) refused += 1;
      // The clock is read every 64 entries: an entry takes about a microsecond.
      if ((++count & 63) === 0 && performance.now() - sliceStart >= SLICE_MS) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
    }
  } finally {
    handle.closeSync();
  }
  return refused;
}
