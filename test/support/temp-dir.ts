import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';

const created: string[] = [];

afterEach(async () => {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh directory under the OS temp dir, removed after the current test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pop3d-mail-'));
  created.push(dir);
  return dir;
}

/** A Maildir with cur/ new/ tmp/ under a fresh temp dir. */
export async function tempMaildir(): Promise<string> {
  const maildir = join(await tempDir(), 'Maildir');
  await Promise.all(['cur', 'new', 'tmp'].map((sub) => mkdir(join(maildir, sub), { recursive: true })));
  return maildir;
}

/** Writes `content` at `relative` inside `dir`, creating parents. */
export async function put(dir: string, relative: string, content: string | Buffer): Promise<string> {
  const path = join(dir, relative);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
  return path;
}
