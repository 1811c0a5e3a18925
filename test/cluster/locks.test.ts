import { existsSync } from 'node:fs';
import { mkdir, rmdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { identifyLock, LockRegistry } from '../../src/cluster/lock-registry.js';
import type { FromWorker } from '../../src/cluster/messages.js';
import { reportedLocks } from '../../src/cluster/reported-locks.js';
import type { Maildrop, MaildropStore } from '../../src/mail/maildrop.js';
import { tempDir } from '../mail/temp-dir.js';

const STALE_MS = 10_000;

/** A lock directory as a worker would hold it, and what it reported of it. */
async function lockDir(name = 'pop3d.lock'): Promise<{ path: string; registry: LockRegistry }> {
  const path = join(await tempDir(), name);
  await mkdir(path);
  const registry = new LockRegistry(STALE_MS);
  registry.held(1, (await identifyLock(path))!);
  return { path, registry };
}

describe("LockRegistry: a dead worker's locks", () => {
  it('are removed when they are still the directories it made, and fresh', async () => {
    const { path, registry } = await lockDir();
    expect(await registry.free(1)).toEqual([path]);
    expect(existsSync(path)).toBe(false);
    expect(await registry.free(1)).toEqual([]);
  });

  it('are not those it released, nor those of another worker', async () => {
    const { path, registry } = await lockDir();
    registry.released(1, path);
    expect(await registry.free(1)).toEqual([]);
    registry.held(2, (await identifyLock(path))!);
    expect(await registry.free(1)).toEqual([]);
    expect(existsSync(path)).toBe(true);
  });

  it('are left alone once someone else made the directory again, even with the same inode number', async () => {
    const { path, registry } = await lockDir();
    await rmdir(path);
    await mkdir(path);
    expect(await registry.free(1)).toEqual([]);
    expect(existsSync(path)).toBe(true);
  });

  it('are left alone when stale: another session may be taking them over right now', async () => {
    const { path, registry } = await lockDir();
    const old = new Date(Date.now() - STALE_MS);
    await utimes(path, old, old);
    expect(await registry.free(1)).toEqual([]);
    expect(existsSync(path)).toBe(true);
  });
});

describe('reportedLocks', () => {
  /** A store whose maildrops "hold" the directory `lock` (made by the test). */
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

  it('reports the lock directory when a maildrop opens and when it is let go, by commit or release', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'alice'));
    const reports: FromWorker[] = [];
    const released: string[] = [];
    const reported = reportedLocks(store(() => released.push('x')), async (user) => join(dir, user), (message) => reports.push(message));

    const maildrop = await reported.open('alice');
    expect(maildrop.messages).toEqual([{ uid: 'u1', size: 3 }]);
    expect(reports).toEqual([{ kind: 'locked', lock: await identifyLock(join(dir, 'alice')) }]);
    await maildrop.commit(new Set());
    expect(released).toHaveLength(1);
    expect(reports[1]).toEqual({ kind: 'unlocked', path: join(dir, 'alice') });

    await (await reported.open('alice')).release();
    expect(reports.map((report) => report.kind)).toEqual(['locked', 'unlocked', 'locked', 'unlocked']);
  });

  it('reports nothing for a user without a lock directory (no Maildir, nothing locked)', async () => {
    const dir = await tempDir();
    const reports: FromWorker[] = [];
    const reported = reportedLocks(store(() => undefined), async (user) => join(dir, user), (message) => reports.push(message));
    await (await reported.open('bob')).release();
    expect(reports).toEqual([]);
  });
});
