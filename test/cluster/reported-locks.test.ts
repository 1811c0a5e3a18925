import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { identifyLock } from '../../src/cluster/lock-registry.js';
import type { FromWorker } from '../../src/cluster/messages.js';
import { reportedLocks } from '../../src/cluster/reported-locks.js';
import type { Maildrop, MaildropStore } from '../../src/maildrop/maildrop.js';
import { tempDir } from '../support/temp-dir.js';

describe('reportedLocks', () => {
  /** A store whose maildrops "hold" the lock `<dir>/<user>` (made by the test). */
  const store = (onRelease: () => void): MaildropStore => ({
    open: async (user): Promise<Maildrop> => ({
      user,
      messages: [{ uid: 'u1', size: 3 }],
      read: () => Readable.from(['abc']),
      markSeen: () => undefined,
      commit: async () => {
        onRelease();
        return { removed: 0, failed: 0 };
      },
      release: async () => onRelease(),
    }),
  });

  it('reports the lock when a maildrop opens and when it is let go, by commit or release', async () => {
    const dir = await tempDir();
    await symlink('1@here', join(dir, 'alice'));
    const reports: FromWorker[] = [];
    const released: string[] = [];
    const reported = reportedLocks(store(() => released.push('x')), async (user) => join(dir, user), (message) => reports.push(message));

    const maildrop = await reported.open('alice');
    expect(maildrop.messages).toEqual([{ uid: 'u1', size: 3 }]);
    expect(reports).toEqual([{ kind: 'locked', lock: identifyLock(join(dir, 'alice')) }]);
    await maildrop.commit(new Set());
    expect(released).toHaveLength(1);
    expect(reports[1]).toEqual({ kind: 'unlocked', path: join(dir, 'alice') });

    await (await reported.open('alice')).release();
    expect(reports.map((report) => report.kind)).toEqual(['locked', 'unlocked', 'locked', 'unlocked']);
  });

  it('reports nothing for a user without a lock (no Maildir, nothing locked)', async () => {
    const dir = await tempDir();
    const reports: FromWorker[] = [];
    const reported = reportedLocks(store(() => undefined), async (user) => join(dir, user), (message) => reports.push(message));
    await (await reported.open('bob')).release();
    expect(reports).toEqual([]);
  });
});
