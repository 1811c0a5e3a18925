import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SMALL_MESSAGE_OCTETS } from '../../src/maildir/message-stream.js';
import { maildirFor } from '../../src/maildir/path.js';
import { MaildirStore } from '../../src/maildir/store.js';
import { put, tempDir } from '../support/temp-dir.js';

describe('MaildirMaildrop.readAtOnce', () => {
  it('gives a small message whole, leaves a large or vanished one to the stream, and refuses once released', async () => {
    const root = await tempDir();
    const maildir = join(root, 'alice', 'Maildir');
    await Promise.all(['cur', 'new', 'tmp'].map((sub) => mkdir(join(maildir, sub), { recursive: true })));
    await put(maildir, 'cur/1.small.host:2,S', 'small\n.line\n');
    await put(maildir, 'cur/2.large.host:2,S', 'x'.repeat(SMALL_MESSAGE_OCTETS) + '\n');
    await put(maildir, 'cur/3.gone.host:2,S', 'gone\n');
    const store = new MaildirStore({ locate: async (user) => maildirFor(join(root, '%u', 'Maildir'), user), staleMs: 2000, autocreate: false, flagUpdates: false });
    const maildrop = await store.open('alice');
    await unlink(join(maildir, 'cur/3.gone.host:2,S'));
    expect(String(maildrop.readAtOnce?.(0))).toBe('small\n.line\n');
    expect(maildrop.readAtOnce?.(1)).toBeUndefined();
    expect(maildrop.readAtOnce?.(2)).toBeUndefined();
    await maildrop.release();
    expect(() => maildrop.readAtOnce?.(0)).toThrow(/released/u);
  });
});
