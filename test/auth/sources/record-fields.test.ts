import { describe, expect, it } from 'vitest';
import { entryFrom } from '../../../src/auth/sources/record-fields.js';

describe('records from row or attribute values', () => {
  it('makes entries from row or attribute values, reporting an unusable location', () => {
    const reports: string[] = [];
    const entry = entryFrom('carol', { password: ['{PLAIN}x'], maildir: 'mbox:~/mail', home: Buffer.from('/home/carol') }, (reason) => reports.push(reason));
    expect(entry.record).toEqual({ name: 'carol', home: '/home/carol', maildir: undefined });
    expect(reports).toEqual(['user carol: mail location "mbox:~/mail" is not maildir:<path>; mail.maildir is used instead']);
    expect(entryFrom('dan', { password: null }, () => undefined).verifier).toEqual({ kind: 'stored', stored: { problem: 'no password' } });
  });
});
