import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

export const run = promisify(execFile);

/** Resident set size of a process in bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status);
  return kb ? Number(kb[1]) * 1024 : 0;
}

/** Runs a Python script (poplib is a real client) and parses its JSON output. */
export async function python<T>(script: string, ...args: string[]): Promise<T> {
  const { stdout } = await run('python3', ['-c', script, ...args], { timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
  return JSON.parse(stdout) as T;
}
