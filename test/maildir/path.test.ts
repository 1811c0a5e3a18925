import { describe, expect, it } from 'vitest';
import { maildirFor, maildirLocator, templateProblem } from '../../src/maildir/path.js';

describe('maildirFor', () => {
  it('replaces every %u', () => {
    expect(maildirFor('/srv/%u/mail/%u', 'alice')).toBe('/srv/alice/mail/alice');
  });

  it.each(['..', '../etc', 'a/b', ''])('throws for the unsafe name %j', (name) => {
    expect(() => maildirFor('/srv/%u/Maildir', name)).toThrow(/invalid user name/u);
  });

  it('splits virtual-domain names: %n before "@", %d after it (empty without one), %% a percent sign', () => {
    expect(maildirFor('/var/vmail/%d/%n/Maildir', 'alice@example.org')).toBe('/var/vmail/example.org/alice/Maildir');
    expect(maildirFor('/var/vmail/%d/%n', 'alice')).toBe('/var/vmail//alice');
    expect(maildirFor('/m/100%%/%u', 'bob')).toBe('/m/100%/bob');
  });

  it.each([
    ['..@example.org', /user name part/u],
    ['alice@..', /domain/u],
    ['alice@.hidden', /domain/u],
  ])('checks each substituted part of %j before it becomes a path', (name, message) => {
    expect(() => maildirFor('/var/vmail/%d/%n', name)).toThrow(message);
  });

  it('puts the home directory for %h, which must be absolute and normalised', () => {
    expect(maildirFor('%h/Maildir', { name: 'carol', home: '/home/carol' })).toBe('/home/carol/Maildir');
    expect(() => maildirFor('%h/Maildir', { name: 'carol' })).toThrow(/no home directory/u);
    for (const home of ['home/carol', '/home/../etc', '/home/carol\n']) {
      expect(() => maildirFor('%h/Maildir', { name: 'carol', home })).toThrow(/invalid home directory/u);
    }
  });

  it("uses the user's own Maildir when the directory has one, ~ standing for home", () => {
    const carol = { name: 'carol@example.org', home: '/home/carol', maildir: '~/Mail' };
    expect(maildirFor('/var/vmail/%d/%n', carol)).toBe('/home/carol/Mail');
    expect(maildirFor('/x/%u', { name: 'dan', maildir: '/srv/mail/%u' })).toBe('/srv/mail/dan');
    expect(() => maildirFor('/x/%u', { name: 'dan', maildir: 'relative/path' })).toThrow(/invalid Maildir/u);
    expect(() => maildirFor('/x/%u', { name: 'dan', maildir: '/srv/../etc' })).toThrow(/invalid Maildir/u);
  });

  it('finds the record through the directory, failing for an unknown user', async () => {
    const locate = maildirLocator('/m/%u', { lookup: async (user) => (user === 'alice' ? { name: 'alice' } : undefined) });
    expect(await locate('alice')).toBe('/m/alice');
    await expect(locate('bob')).rejects.toThrow(/no user "bob"/u);
  });
});

describe('templateProblem', () => {
  it('accepts the known variables and wants a per-user one', () => {
    for (const ok of ['mail/%u/Maildir', '/var/vmail/%d/%n/Maildir', '%h/Maildir', '/m/100%%/%u']) expect(templateProblem(ok)).toBeUndefined();
    expect(templateProblem('/var/vmail/%d')).toMatch(/must contain %u, %n or %h/u);
    expect(templateProblem('/m/%%u')).toMatch(/must contain/u);
  });

  it('refuses a "." or ".." part from the first variable on, which would let users share a Maildir', () => {
    for (const bad of ['/var/mail/%u/../Maildir', '/var/vmail/%d/../%n', '%h/../x', '/m/%u/./Maildir', '/m/x%u/..'])
      expect(templateProblem(bad)).toMatch(/must not contain a "\." or "\.\." part/u);
    for (const ok of ['../mail/%u/Maildir', './mail/%u/Maildir', '/m/100%%/../%u']) expect(templateProblem(ok)).toBeUndefined();
  });

  it('names an unknown variable', () => {
    expect(templateProblem('/var/vmail/%x/%u')).toMatch(/unknown variable %x/u);
    expect(templateProblem('/var/vmail/%u%')).toMatch(/unknown variable %/u);
  });
});
