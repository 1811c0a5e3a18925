import { describe, expect, it } from 'vitest';
import { maildirFor } from '../../src/maildir/path.js';

describe('maildirFor', () => {
  it('replaces every %u', () => {
    expect(maildirFor('/srv/%u/mail/%u', 'alice')).toBe('/srv/alice/mail/alice');
  });

  it.each(['..', '../etc', 'a/b', ''])('throws for the unsafe name %j', (name) => {
    expect(() => maildirFor('/srv/%u/Maildir', name)).toThrow(/invalid user name/u);
  });
});
