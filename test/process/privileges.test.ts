import { describe, expect, it } from 'vitest';
import { dropPrivileges, type ProcessIdentity } from '../../src/process/privileges.js';

/** A process identity that records the calls; numeric ids stand for the names. */
function identity(uid: number, ids: Record<string, number> = { mail: 8, nogroup: 65534 }) {
  const calls: string[] = [];
  let gid = uid;
  const me: ProcessIdentity = {
    getuid: () => uid,
    getgid: () => gid,
    setgid: (group) => {
      calls.push(`setgid ${group}`);
      gid = ids[group] ?? 0;
    },
    setuid: (user) => {
      calls.push(`setuid ${user}`);
      uid = ids[user] ?? 0;
    },
    setgroups: (groups) => void calls.push(`setgroups ${groups.join(',')}`),
    initgroups: (user, group) => void calls.push(`initgroups ${user} ${group}`),
  };
  return { me, calls };
}

describe('dropping root privileges after binding', () => {
  it('switches group (with supplementary groups reset) before user', () => {
    const { me, calls } = identity(0);
    expect(dropPrivileges({ user: 'mail', group: 'nogroup' }, me)).toEqual({ kind: 'dropped', uid: 8, gid: 65534 });
    expect(calls).toEqual(['initgroups mail nogroup', 'setgid nogroup', 'setuid mail']);
  });

  it('can drop the group alone', () => {
    const { me, calls } = identity(0);
    expect(dropPrivileges({ group: 'mail' }, me)).toMatchObject({ kind: 'dropped', gid: 8 });
    expect(calls).toEqual(['setgroups mail', 'setgid mail']);
  });

  it('reports root without a configured user, and does nothing when not root', () => {
    expect(dropPrivileges({}, identity(0).me)).toEqual({ kind: 'root-unconfigured' });
    const { me, calls } = identity(1000);
    expect(dropPrivileges({ user: 'mail', group: 'mail' }, me)).toEqual({ kind: 'not-root' });
    expect(calls).toEqual([]);
  });

  it('throws when root would stay root', () => {
    expect(() => dropPrivileges({ user: 'root', group: 'mail' }, identity(0, { root: 0, mail: 8 }).me)).toThrow(/still root/);
  });
});
