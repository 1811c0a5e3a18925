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

/** A full poplib session (USER/PASS, LIST, RETR every message, QUIT); prints the LIST sizes as JSON. */
const RETRIEVE_ALL = `
import json, poplib, sys
p = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=20)
p.user(sys.argv[2]); p.pass_(sys.argv[3])
sizes = [int(line.split()[1]) for line in p.list()[1]]
for n in range(1, len(sizes) + 1): p.retr(n)
p.quit()
print(json.dumps({'sizes': sizes}))
`;

export function poplibRetrieveAll(port: number, user: string, password: string): Promise<{ sizes: number[] }> {
  return python<{ sizes: number[] }>(RETRIEVE_ALL, String(port), user, password);
}
