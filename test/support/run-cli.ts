import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './daemon.js';

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliRun {
  readonly child: ChildProcess;
  readonly result: Promise<CliResult>;
}

/** The environment without POP3D_* overrides of whoever runs the tests, plus `env`. */
export function cleanEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('POP3D_')));
  return { ...base, ...env };
}

/** Starts the built CLI with its stdin a pipe the caller writes to. */
export function startCli(args: readonly string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: cleanEnv(env) });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // The CLI may exit without reading its input (unknown user): that is not the test's failure.
  child.stdin!.on('error', () => undefined);
  const result = new Promise<CliResult>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  return { child, result };
}

/** Runs the built CLI to the end with `input` (default: none) on stdin. */
export function runCli(args: readonly string[], input: string | Buffer = '', env: Record<string, string> = {}): Promise<CliResult> {
  const { child, result } = startCli(args, env);
  child.stdin!.end(input);
  return result;
}
