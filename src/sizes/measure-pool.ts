import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { measureFiles, measureHere, RESULT_FIELDS, type MeasureKind } from './measure-files.js';
import { bareLineFeeds } from './wire-size.js';

/** Scratch space of each thread's reads; messages are a few kB, the rest is read in several goes. */
const READ_BUFFER_BYTES = 1 << 16;

/**
 * A thread's program: measureFiles and bareLineFeeds from their own source text, so the worker runs the very code the unit tests
 * run, with no separate script to build or locate. Results come back as a transferred Float64Array.
 */
const WORKER_SOURCE = `'use strict';
const fs = require('node:fs');
const { parentPort } = require('node:worker_threads');
const measureFiles = ${measureFiles.toString()};
const bareLineFeeds = ${bareLineFeeds.toString()};
const buffer = Buffer.allocUnsafe(${READ_BUFFER_BYTES});
parentPort.on('message', ({ kind, dir, joined, count, readMax }) => {
  const names = count === 0 ? [] : joined.split('\\0');
  const out = new Float64Array(count * ${RESULT_FIELDS});
  try {
    if (names.length !== count) throw new Error('a file name with a NUL in it');
    measureFiles(fs, { kind, dir, names, out, buffer, readMax, from: 0, until: Infinity }, bareLineFeeds);
    parentPort.postMessage({ out }, [out.buffer]);
  } catch (err) {
    parentPort.postMessage({ error: { message: String(err && err.message), code: err && err.code } });
  }
});`;

/** The thread itself failed (could not start, died): the work can still be done on the main thread. */
export class MeasureThreadError extends Error {
  constructor(cause: unknown) {
    super('file measuring thread failed', { cause });
    this.name = 'MeasureThreadError';
  }
}

/**
 * What a thread is sent: the names joined by NULs (which no file name holds), one string to copy rather than
 * thousands to clone one by one, on the thread that is also reading the directory.
 */
interface JobMessage {
  readonly kind: MeasureKind;
  readonly dir: string;
  readonly joined: string;
  readonly count: number;
  readonly readMax: number;
}

interface Job {
  readonly message: JobMessage;
  readonly resolve: (out: Float64Array) => void;
  readonly reject: (err: Error) => void;
}

interface Thread {
  readonly worker: Worker;
  job: Job | undefined;
  idleTimer: NodeJS.Timeout | undefined;
  dead: boolean;
}

type Reply = { readonly out: Float64Array } | { readonly error: { readonly message: string; readonly code: unknown } };

/**
 * A few worker threads that run measureFiles, so that reading 100,000 small files takes several cores and
 * none of the event loop's time. Started on demand, ended when idle for `idleMs`; an idle thread does not
 * keep the process alive.
 */
export class MeasurePool {
  readonly #threads = new Set<Thread>();
  readonly #queue: Job[] = [];

  constructor(
    readonly size: number,
    private readonly idleMs: number,
  ) {}

  /** Results for `names` in `dir` (RESULT_FIELDS numbers each). Rejects with the file's error, or MeasureThreadError. */
  run(kind: MeasureKind, dir: string, names: readonly string[], readMax: number): Promise<Float64Array> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ message: { kind, dir, joined: names.join('\0'), count: names.length, readMax }, resolve, reject });
      this.#dispatch();
    });
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      let thread = this.#idleThread();
      if (thread === undefined && this.#threads.size < this.size) {
        try {
          thread = this.#spawn();
        } catch (err) {
          for (const job of this.#queue.splice(0)) job.reject(new MeasureThreadError(err));
          return;
        }
      }
      if (thread === undefined) return;
      this.#start(thread, this.#queue.shift()!);
    }
  }

  #idleThread(): Thread | undefined {
    for (const thread of this.#threads) if (thread.job === undefined) return thread;
    return undefined;
  }

  #start(thread: Thread, job: Job): void {
    clearTimeout(thread.idleTimer);
    thread.job = job;
    thread.worker.ref();
    thread.worker.postMessage(job.message);
  }

  #spawn(): Thread {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    const thread: Thread = { worker, job: undefined, idleTimer: undefined, dead: false };
    this.#threads.add(thread);
    worker.on('message', (reply: Reply) => {
      const { job } = thread;
      thread.job = undefined;
      if ('out' in reply) job?.resolve(reply.out);
      else job?.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
      this.#idle(thread);
    });
    worker.on('error', (err) => this.#lose(thread, err));
    worker.on('exit', (code) => this.#lose(thread, new Error(`exited with code ${code}`)));
    return thread;
  }

  #idle(thread: Thread): void {
    if (this.#queue.length > 0) {
      this.#start(thread, this.#queue.shift()!);
      return;
    }
    thread.worker.unref();
    thread.idleTimer = setTimeout(() => {
      this.#lose(thread, undefined);
      void thread.worker.terminate();
    }, this.idleMs);
    thread.idleTimer.unref();
  }

  /** The thread is gone (ended when idle, or failed): its job, if any, fails; queued jobs get another thread. */
  #lose(thread: Thread, cause: unknown): void {
    if (thread.dead) return;
    thread.dead = true;
    clearTimeout(thread.idleTimer);
    this.#threads.delete(thread);
    thread.job?.reject(new MeasureThreadError(cause));
    thread.job = undefined;
    this.#dispatch();
  }
}

/** Shared by every listing of the process: at most one thread per core, and never more than four. */
export const measurePool = new MeasurePool(Math.min(4, availableParallelism()), 5_000);

/**
 * measureFiles over `names` in `dir` as one job: in a thread of `pool`, or on this thread in slices when there
 * is no pool, or no thread can be had.
 */
export async function measureJob(kind: MeasureKind, dir: string, names: readonly string[], readMax: number, pool?: MeasurePool): Promise<Float64Array> {
  if (pool === undefined || pool.size === 0) return measureHere(kind, dir, names, readMax);
  try {
    return await pool.run(kind, dir, names, readMax);
  } catch (err) {
    if (!(err instanceof MeasureThreadError)) throw err;
    return measureHere(kind, dir, names, readMax);
  }
}
