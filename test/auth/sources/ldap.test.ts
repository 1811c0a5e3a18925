import { describe, expect, it } from 'vitest';
import { userFilter } from '../../../src/auth/sources/ldap.js';

describe('LDAP user filter', () => {
  it('puts %u, %n, %d in, escaped as RFC 4515 says', () => {
    expect(userFilter('(&(objectClass=inetOrgPerson)(uid=%n))', 'alice@example.org')).toBe('(&(objectClass=inetOrgPerson)(uid=alice))');
    expect(userFilter('(&(uid=%n)(dc=%d)(mail=%u))', 'a@b')).toBe('(&(uid=a)(dc=b)(mail=a@b))');
    expect(userFilter('(uid=%u)', '*)(uid=*')).toBe('(uid=\\2a\\29\\28uid=\\2a)');
    expect(userFilter('(uid=%u)', 'a\\b\u0000')).toBe('(uid=a\\5cb\\00)');
  });
});
