import { lstat, lutimes, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { identifyLock, LockRegistry } from '../../src/cluster/lock-registry.js';
import { tempDir } from '../support/temp-dir.js';

const STALE_MS = 10_000;

/** Whether anything is at `path`, the link itself (existsSync follows it). */
const present = (path: string): Promise<boolean> => lstat(path).then(() => true, () => false);

/** A lock as a worker would hold it, and what it reported of it. */
async function heldLock(name = 'pop3d.lock'): Promise<{ path: string; registry: LockRegistry }> {
  const path = join(await tempDir(), name);
  await symlink('1@here', path);
  const registry = new LockRegistry(STALE_MS);
  registry.held(1, identifyLock(path)!);
  return { path, registry };
}

describe("LockRegistry: a dead worker's locks", () => {
  it('are removed when they are still the links it made, and fresh', async () => {
    const { path, registry } = await heldLock();
    expect(await registry.free(1)).toEqual([path]);
    expect(await present(path)).toBe(false);
    expect(await registry.free(1)).toEqual([]);
  });

  it('are not those it released, nor those of another worker', async () => {
    const { path, registry } = await heldLock();
    registry.released(1, path);
    expect(await registry.free(1)).toEqual([]);
    registry.held(2, identifyLock(path)!);
    expect(await registry.free(1)).toEqual([]);
    expect(await present(path)).toBe(true);
  });

  it('are left alone once someone else made the lock again, even with the same inode number', async () => {
    const { path, registry } = await heldLock();
    await unlink(path);
    await symlink('2@there', path);
    expect(await registry.free(1)).toEqual([]);
    expect(await present(path)).toBe(true);
  });

  it('are left alone when stale: another session may be taking them over right now', async () => {
    const { path, registry } = await heldLock();
    const old = new Date(Date.now() - STALE_MS);
    await lutimes(path, old, old);
    expect(await registry.free(1)).toEqual([]);
    expect(await present(path)).toBe(true);
  });
});
