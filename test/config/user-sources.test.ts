import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';

describe('user source config', () => {
  it('needs the section of the chosen source', () => {
    expect(() => parseConfig({ users: { source: 'postgresql' } })).toThrow(/users\.source is postgresql: its section is missing/u);
    expect(parseConfig({ users: { source: 'ldap', ldap: { urls: ['ldap://127.0.0.1'], base: 'dc=x' } } }).users.ldap).toMatchObject({
      auth: 'bind',
      filter: '(&(objectClass=inetOrgPerson)(uid=%n))',
    });
  });

  it('refuses an unknown % variable in mail.maildir', () => {
    expect(() => parseConfig({ mail: { maildir: 'vmail/%d/%x/Maildir' } })).toThrow(/mail\.maildir: unknown variable %x/u);
    expect(parseConfig({ mail: { maildir: 'vmail/%d/%n/Maildir' } }).mail.maildir).toBe('vmail/%d/%n/Maildir');
  });
});
