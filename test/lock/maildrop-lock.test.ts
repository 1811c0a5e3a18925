import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { lstat, lutimes, mkdir, readFile, readlink, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { acquireMaildropLock, LOCK_HOLDER, LOCK_NAME } from '../../src/lock/maildrop-lock.js';
import { MaildropLockedError } from '../../src/maildrop/maildrop.js';
import { tempMaildir } from '../support/temp-dir.js';

const STALE_MS = 2000;
const holder = fileURLToPath(new URL('../support/hold-lock.mjs', import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Another process holding the lock, resolved once it has it. */
async function holdInChild(maildir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [holder, maildir, String(STALE_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  expect(chunk.toString()).toBe('locked\n');
  return child;
}

describe('acquireMaildropLock', () => {
  it('is exclusive within the process, and free again after release', async () => {
    const maildir = await tempMaildir();
    const release = await acquireMaildropLock(maildir, { staleMs: STALE_MS });
    await expect(acquireMaildropLock(maildir, { staleMs: STALE_MS })).rejects.toBeInstanceOf(MaildropLockedError);
    await release();
    await release();
    await (await acquireMaildropLock(maildir, { staleMs: STALE_MS }))();
  });

  it('is a symbolic link naming its holder, gone once released', async () => {
    const maildir = await tempMaildir();
    const release = await acquireMaildropLock(maildir, { staleMs: STALE_MS });
    const lock = join(maildir, LOCK_NAME);
    expect((await lstat(lock)).isSymbolicLink()).toBe(true);
    expect(await readlink(lock)).toBe(LOCK_HOLDER);
    expect(LOCK_HOLDER).toMatch(new RegExp(`^${process.pid}@.+`));
    await release();
    await expect(lstat(lock)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('passes other errors through, e.g. a missing Maildir', async () => {
    const maildir = join(await tempMaildir(), 'missing');
    await expect(acquireMaildropLock(maildir, { staleMs: STALE_MS })).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('is refused while another process holds it', async () => {
    const maildir = await tempMaildir();
    await holdInChild(maildir);
    await expect(acquireMaildropLock(maildir, { staleMs: STALE_MS })).rejects.toBeInstanceOf(MaildropLockedError);
  });

  it('stays held past the stale time while its holder is alive: the holder refreshes it', async () => {
    const maildir = await tempMaildir();
    await holdInChild(maildir);
    await new Promise((resolve) => setTimeout(resolve, 2 * STALE_MS));
    await expect(acquireMaildropLock(maildir, { staleMs: STALE_MS })).rejects.toBeInstanceOf(MaildropLockedError);
  });

  it('reports a lock whose mtime someone else changed as compromised, and then leaves it alone', async () => {
    const maildir = await tempMaildir();
    const warn = vi.fn();
    const release = await acquireMaildropLock(maildir, { staleMs: STALE_MS, logger: { warn } });
    const lock = join(maildir, LOCK_NAME);
    await lutimes(lock, 1000, 1000);
    await vi.waitFor(() => expect(warn).toHaveBeenCalledWith(expect.objectContaining({ maildir }), 'maildrop lock compromised'), {
      timeout: 2 * STALE_MS,
    });
    await release();
    // The lock may be another holder's by now: releasing ours must not remove it.
    expect((await lstat(lock)).isSymbolicLink()).toBe(true);
  });

  it('is taken over after the stale time when its holder was killed with SIGKILL', async () => {
    const maildir = await tempMaildir();
    const child = await holdInChild(maildir);
    child.kill('SIGKILL');
    await once(child, 'exit');
    const killedAt = Date.now();
    // SIGKILL leaves the lock behind: only staleness frees it.
    expect((await lstat(join(maildir, LOCK_NAME))).isSymbolicLink()).toBe(true);
    await expect(acquireMaildropLock(maildir, { staleMs: STALE_MS })).rejects.toBeInstanceOf(MaildropLockedError);

    const release = await vi.waitFor(() => acquireMaildropLock(maildir, { staleMs: STALE_MS }), {
      timeout: 3 * STALE_MS,
      interval: 100,
    });
    await release();
    // The lock's mtime is whole seconds rounded up, so a holder killed before its first
    // refresh leaves a lock that looks up to 1 s younger than it is.
    expect(Date.now() - killedAt).toBeLessThanOrEqual(STALE_MS + 1000 + 500);
  });

  it('lets exactly one of two concurrent sessions take over a stale lock, of this version or of one that locked with mkdir', async () => {
    for (let trial = 0; trial < 20; trial += 1) {
      const maildir = await tempMaildir();
      const lock = join(maildir, LOCK_NAME);
      if (trial % 2 === 0) {
        await symlink('1@elsewhere', lock);
        await lutimes(lock, 0, 0);
      } else {
        await mkdir(lock);
        await utimes(lock, 0, 0);
      }
      const outcomes = await Promise.allSettled([0, 1].map(() => acquireMaildropLock(maildir, { staleMs: STALE_MS })));
      const winners = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
      expect(winners).toHaveLength(1);
      await winners[0]!();
    }
  });

  it('is refused while a fresh lock of a version that locked with mkdir is there', async () => {
    const maildir = await tempMaildir();
    await mkdir(join(maildir, LOCK_NAME));
    await expect(acquireMaildropLock(maildir, { staleMs: STALE_MS })).rejects.toBeInstanceOf(MaildropLockedError);
  });

  it('never follows a link planted in its place: a stale one is removed, its target untouched', async () => {
    const maildir = await tempMaildir();
    const target = join(maildir, 'precious');
    await writeFile(target, 'keep me');
    await utimes(target, 0, 0);
    const lock = join(maildir, LOCK_NAME);
    await symlink(target, lock);
    // Fresh as a link, whatever its target's mtime: refused.
    await expect(acquireMaildropLock(maildir, { staleMs: STALE_MS })).rejects.toBeInstanceOf(MaildropLockedError);
    await lutimes(lock, 0, 0);
    const release = await acquireMaildropLock(maildir, { staleMs: STALE_MS });
    expect(await readlink(lock)).toBe(LOCK_HOLDER);
    await release();
    expect(await readFile(target, 'utf8')).toBe('keep me');
    expect((await lstat(target)).mtimeMs).toBe(0);
  });

  it('logs, and does not throw, when the lock is compromised', async () => {
    const maildir = await tempMaildir();
    const warn = vi.fn();
    const release = await acquireMaildropLock(maildir, { staleMs: STALE_MS, logger: { warn } });
    await rm(join(maildir, LOCK_NAME), { recursive: true });
    await vi.waitFor(() => expect(warn).toHaveBeenCalledWith(expect.objectContaining({ maildir }), 'maildrop lock compromised'), {
      timeout: 2 * STALE_MS,
    });
    await release();
    expect(warn).toHaveBeenCalledTimes(1);
  });
});
