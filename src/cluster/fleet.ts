import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { isFromWorker, type Answer, type FromWorker, type ToWorker } from './messages.js';

export interface Ports {
  readonly pop3Port: number;
  readonly pop3sPort: number | undefined;
}

/** Who accepts a connection: each worker from the shared socket ('kernel'), or the primary, dealing them in turn. */
export type Scheduling = Config['cluster']['scheduling'];

export interface FleetOptions {
  readonly size: number;
  readonly scheduling: Scheduling;
  readonly logger: Logger;
  /** The first message for each worker, replacements included: made when the worker asks for it. */
  readonly start: () => ToWorker;
  /** Every message from a worker, in its order (`waiting` and `done` included; a batch as its messages). */
  readonly onMessage: (worker: number, message: FromWorker) => void;
  /** A worker is gone; every message it sent has been delivered before this. */
  readonly onExit: (worker: number) => void;
}

/** The worker processes: started, kept at `size` (a dead one is replaced), talked to, stopped. */
export interface Fleet {
  /** Forks the workers; resolves with their ports once every one listens, rejects if one exits first. */
  start(): Promise<Ports>;
  /** To every worker that is listening to messages; a worker forked later starts from `start()` instead. */
  broadcast(message: ToWorker): void;
  /** To one worker (an answer to its question); dropped when it is gone. */
  send(worker: number, message: ToWorker | Answer): void;
  /** Like broadcast; resolves once each worker has answered `done`, exited, or `timeoutMs` has passed. */
  request(make: (id: number) => ToWorker, timeoutMs: number): Promise<void>;
  /** SIGTERM to every worker, which drains; resolves once all have exited, SIGKILLing any left after `timeoutMs`. */
  stop(timeoutMs: number): Promise<void>;
}

/** A worker that dies sooner than this after its fork is replaced only after this long: no tight crash loop. */
export const RESTART_DELAY_MS = 1000;

type Phase =
  | { readonly kind: 'starting'; readonly waiting: Set<number>; ports?: Ports; resolve(ports: Ports): void; reject(error: Error): void }
  | { readonly kind: 'running' }
  | { readonly kind: 'stopping'; readonly stopped: () => void; readonly done: Promise<void> };

export function createFleet(options: FleetOptions): Fleet {
  const { logger } = options;
  const workers = new Map<number, Worker>();
  /** Workers that have asked for their start: they hear every message from then on. */
  const listening = new Set<number>();
  const requests = new Map<number, { readonly left: Set<number>; readonly done: () => void }>();
  let nextRequest = 1;
  let phase: Phase = { kind: 'running' };

  const send = (worker: Worker, message: ToWorker | Answer): void => {
    if (worker.isConnected()) worker.send(message);
  };
  const answered = (request: number, worker: number): void => {
    const pending = requests.get(request);
    pending?.left.delete(worker);
    if (pending?.left.size === 0) pending.done();
  };

  const ready = (worker: Worker, message: Extract<FromWorker, { kind: 'ready' }>): void => {
    logger.info({ event: 'worker-ready', worker: worker.id, pid: worker.process.pid }, 'worker listening');
    if (phase.kind !== 'starting') return;
    phase.ports ??= { pop3Port: message.pop3Port, pop3sPort: message.pop3sPort };
    phase.waiting.delete(worker.id);
    if (phase.waiting.size === 0) {
      const { ports, resolve } = phase;
      phase = { kind: 'running' };
      resolve(ports);
    }
  };

  const exited = (worker: Worker, bornAt: number, code: number | null, signal: string | null): void => {
    workers.delete(worker.id);
    listening.delete(worker.id);
    for (const request of requests.keys()) answered(request, worker.id);
    options.onExit(worker.id);
    const fields = { worker: worker.id, pid: worker.process.pid, code, signal };
    if (phase.kind === 'stopping') {
      logger.info({ event: 'worker-stopped', ...fields }, 'worker stopped');
      if (workers.size === 0) phase.stopped();
      return;
    }
    if (phase.kind === 'starting') {
      phase.reject(new Error(`worker ${worker.id} exited while starting (code ${code}, signal ${signal}); see its error above`));
      return;
    }
    logger.warn({ event: 'worker-exited', ...fields }, 'worker died; starting a replacement');
    setTimeout(fork, Date.now() - bornAt < RESTART_DELAY_MS ? RESTART_DELAY_MS : 0).unref();
  };

  const fork = (): void => {
    if (phase.kind === 'stopping') return;
    const worker = cluster.fork();
    const bornAt = Date.now();
    workers.set(worker.id, worker);
    logger.info({ event: 'worker-started', worker: worker.id, pid: worker.process.pid }, 'worker started');
    const heard = (message: FromWorker): void => {
      if (message.kind === 'batch') {
        for (const each of message.messages) heard(each);
        return;
      }
      if (message.kind === 'waiting') {
        listening.add(worker.id);
        send(worker, options.start());
      }
      if (message.kind === 'ready') ready(worker, message);
      if (message.kind === 'done') answered(message.id, worker.id);
      options.onMessage(worker.id, message);
    };
    worker.on('message', (message: unknown) => {
      if (isFromWorker(message)) heard(message);
    });
    // A send racing the worker's death fails here; its exit follows and is what counts.
    worker.on('error', () => undefined);
    worker.on('exit', (code, signal) => exited(worker, bornAt, code, signal));
  };

  const listeners = (): Worker[] => [...workers.values()].filter((worker) => listening.has(worker.id));

  return {
    start() {
      // Read by node:cluster when the first worker forks (and fixed from then on); it overrides the
      // NODE_CLUSTER_SCHED_POLICY environment variable.
      cluster.schedulingPolicy = options.scheduling === 'kernel' ? cluster.SCHED_NONE : cluster.SCHED_RR;
      return new Promise<Ports>((resolve, reject) => {
        phase = { kind: 'starting', waiting: new Set(), resolve, reject };
        for (let i = 0; i < options.size; i++) fork();
        for (const id of workers.keys()) phase.waiting.add(id);
      });
    },
    broadcast(message) {
      for (const worker of listeners()) send(worker, message);
    },
    send(id, message) {
      const worker = workers.get(id);
      if (worker !== undefined) send(worker, message);
    },
    request(make, timeoutMs) {
      const id = nextRequest++;
      const targets = listeners();
      if (targets.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => done(), timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          requests.delete(id);
          resolve();
        };
        requests.set(id, { left: new Set(targets.map((worker) => worker.id)), done });
        for (const worker of targets) send(worker, make(id));
      });
    },
    stop(timeoutMs) {
      if (phase.kind === 'stopping') return phase.done;
      if (phase.kind === 'starting') phase.reject(new Error('stopped while starting'));
      let stopped = (): void => undefined;
      const done = new Promise<void>((resolve) => (stopped = resolve));
      const timer = setTimeout(() => {
        for (const worker of workers.values()) worker.process.kill('SIGKILL');
      }, timeoutMs);
      void done.then(() => clearTimeout(timer));
      phase = { kind: 'stopping', stopped, done };
      if (workers.size === 0) stopped();
      for (const worker of workers.values()) worker.process.kill('SIGTERM');
      return done;
    },
  };
}
