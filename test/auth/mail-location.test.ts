import { describe, expect, it } from 'vitest';
import { parseMailLocation } from '../../src/auth/mail-location.js';

describe('mail locations', () => {
  it('reads maildir:<path> (Dovecot options dropped) and bare paths; refuses other formats', () => {
    expect(parseMailLocation('maildir:~/Maildir:INDEX=/x/%u')).toEqual({ maildir: '~/Maildir' });
    expect(parseMailLocation('/srv/mail/carol')).toEqual({ maildir: '/srv/mail/carol' });
    expect(parseMailLocation('mdbox:~/mdbox')).toEqual({ problem: 'mail location "mdbox:~/mdbox" is not maildir:<path>' });
  });
});
