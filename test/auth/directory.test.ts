import { describe, expect, it, vi } from 'vitest';
import { Directory, type DirectoryOptions } from '../../src/auth/directory.js';
import { DirectoryCache } from '../../src/auth/directory-cache.js';
import { UserEditError } from '../../src/auth/passwd-editor.js';
import { parseStoredPassword } from '../../src/auth/password-schemes.js';
import type { SourceEntry, UserSource } from '../../src/auth/source.js';
import { canonicalUserName } from '../../src/auth/user-names.js';
import { DirectoryUnavailableError } from '../../src/auth/users.js';
import type { ServerEvent } from '../../src/events/server-events.js';

/** A source over a map, counting its lookups; `down` makes every call fail, `slowMs` delays each. */
function source(users: Record<string, string>) {
  const state = { finds: [] as string[], down: false, slowMs: 0 };
  const entry = (name: string): SourceEntry | undefined =>
    Object.hasOwn(users, name) ? { record: { name }, verifier: { kind: 'stored', stored: parseStoredPassword(users[name]!) } } : undefined;
  const src: UserSource = {
    kind: 'test',
    edits: {},
    async find(name) {
      state.finds.push(name);
      if (state.slowMs > 0) await new Promise((resolve) => setTimeout(resolve, state.slowMs));
      if (state.down) throw new Error('connection refused');
      return entry(name);
    },
    list: async () => Object.keys(users),
  };
  return { src, state };
}

function directory(src: UserSource, options: Partial<DirectoryOptions> = {}) {
  const events: ServerEvent[] = [];
  const users = new Directory(src, {
    names: { lowercase: true },
    cache: { ttlMs: 60_000, negativeTtlMs: 10_000, maxEntries: 100 },
    timeoutMs: 200,
    emit: (event) => events.push(event),
    ...options,
  });
  return { users, events };
}

describe('canonicalUserName', () => {
  it('lower-cases (%Lu) and adds the default domain to a name without one', () => {
    expect(canonicalUserName('Alice', { lowercase: true })).toBe('alice');
    expect(canonicalUserName('Alice', { lowercase: false })).toBe('Alice');
    expect(canonicalUserName('Alice', { lowercase: true, defaultDomain: 'Example.org' })).toBe('alice@example.org');
    expect(canonicalUserName('bob@example.net', { lowercase: true, defaultDomain: 'example.org' })).toBe('bob@example.net');
  });
});

describe('DirectoryCache', () => {
  it('remembers found and unknown users for their TTLs, at most maxEntries, least recently used out first', () => {
    let now = 0;
    const cache = new DirectoryCache<string>({ ttlMs: 100, negativeTtlMs: 10, maxEntries: 2, now: () => now });
    cache.set('a', 'A');
    cache.set('x', undefined);
    expect(cache.get('a')).toEqual(expect.objectContaining({ value: 'A' }));
    expect(cache.get('x')).toEqual(expect.objectContaining({ value: undefined }));
    now = 10;
    expect(cache.get('x')).toBeUndefined();
    cache.set('b', 'B');
    cache.get('a');
    cache.set('c', 'C');
    expect(cache.get('b')).toBeUndefined();
    now = 200;
    expect(cache.get('a')).toBeUndefined();
  });

  it('keeps nothing with a TTL of 0', () => {
    const cache = new DirectoryCache<string>({ ttlMs: 0, negativeTtlMs: 0, maxEntries: 10 });
    cache.set('a', 'A');
    expect(cache.size).toBe(0);
  });
});

describe('Directory', () => {
  it('authenticates canonical names, caches found and unknown users, and reports lookups', async () => {
    const { src, state } = source({ alice: '{PLAIN}secret' });
    const { users, events } = directory(src);
    expect(await users.authenticate('Alice', 'secret')).toBe(true);
    expect(await users.authenticate('alice', 'wrong')).toBe(false);
    expect(await users.authenticate('nobody', 'x')).toBe(false);
    expect(await users.exists('nobody')).toBe(false);
    expect(state.finds).toEqual(['alice', 'nobody']);
    expect(events.map((event) => event.type === 'directory-lookup' && event.outcome)).toEqual(['found', 'cached', 'unknown', 'cached']);
    await users.reload();
    await users.lookup('alice');
    expect(state.finds).toEqual(['alice', 'nobody', 'alice']);
  });

  it('asks a source that holds its users in memory every time, caching nothing and starting no timer', async () => {
    const { src, state } = source({ alice: '{PLAIN}secret' });
    const { users, events } = directory({ ...src, inMemory: true });
    expect(await users.authenticate('Alice', 'secret')).toBe(true);
    expect(await users.authenticate('alice', 'wrong')).toBe(false);
    expect(await users.exists('nobody')).toBe(false);
    expect(await users.exists('nobody')).toBe(false);
    expect(state.finds).toEqual(['alice', 'alice', 'nobody', 'nobody']);
    expect(events.map((event) => event.type === 'directory-lookup' && event.outcome)).toEqual(['found', 'found', 'unknown', 'unknown']);
    vi.useFakeTimers();
    try {
      state.slowMs = 300; // past the 200 ms timeout, which does not apply to memory
      const answer = users.exists('alice');
      await vi.advanceTimersByTimeAsync(300);
      expect(await answer).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('never queries for a name that cannot be a user', async () => {
    const { src, state } = source({});
    const { users } = directory(src);
    for (const name of ['a\u0000b', '../x', 'a/b', 'x'.repeat(65)]) expect(await users.authenticate(name, 'pw')).toBe(false);
    expect(state.finds).toEqual([]);
  });

  it('rejects with DirectoryUnavailableError when the source fails or is slower than the timeout; failures are not cached', async () => {
    const { src, state } = source({ alice: '{PLAIN}secret' });
    const { users, events } = directory(src);
    state.down = true;
    await expect(users.authenticate('alice', 'secret')).rejects.toBeInstanceOf(DirectoryUnavailableError);
    state.down = false;
    state.slowMs = 1000;
    await expect(users.authenticate('alice', 'secret')).rejects.toThrow(/test lookup failed: no answer within 200 ms/u);
    state.slowMs = 0;
    expect(await users.authenticate('alice', 'secret')).toBe(true);
    expect(events.filter((event) => event.type === 'directory-failed')).toHaveLength(2);
  });

  it('shares one lookup among concurrent logins of a user', async () => {
    const { src, state } = source({ alice: '{PLAIN}secret' });
    const { users } = directory(src, { cache: { ttlMs: 0, negativeTtlMs: 0, maxEntries: 0 } });
    await Promise.all([users.lookup('alice'), users.lookup('ALICE'), users.lookup('alice')]);
    expect(state.finds).toEqual(['alice']);
  });

  it('refuses edits and listing a source does not support, saying they are not configured', async () => {
    const { src } = source({});
    const { users } = directory({ ...src, list: undefined });
    await expect(users.add('bob', 'pw')).rejects.toThrow(new UserEditError('adding users is not configured for the test user source'));
    await expect(users.remove('bob')).rejects.toBeInstanceOf(UserEditError);
    await expect(users.list()).rejects.toThrow(/listing users is not configured/u);
  });

  it('gives the APOP secret of {PLAIN} users only, and refuses bind users a password check without bind', async () => {
    const bindOnly: UserSource = {
      kind: 'test',
      edits: {},
      find: async (name) => ({ record: { name }, verifier: { kind: 'bind', dn: `uid=${name}` } }),
    };
    const { users } = directory(bindOnly);
    expect(await users.plaintextSecret('alice')).toBeUndefined();
    expect(await users.authenticate('alice', 'x')).toBe(false);
    const { src } = source({ alice: '{PLAIN}secret' });
    expect(await directory(src).users.plaintextSecret('alice')).toBe('secret');
  });
});

describe('Directory decoy', () => {
  it('checks unknown users against the strongest scheme seen among found users', async () => {
    const { src } = source({ alice: '{PLAIN}secret' });
    const { users } = directory(src);
    const plain = parseStoredPassword('{PLAIN}secret');
    const verify = vi.spyOn((plain as { scheme: { verify: (p: string, s: string) => Promise<boolean> } }).scheme, 'verify');
    expect(await users.authenticate('alice', 'wrong')).toBe(false);
    expect(await users.authenticate('nobody', 'guess')).toBe(false);
    expect(verify).toHaveBeenLastCalledWith('guess', 'secret');
  });
});
