import type { Config } from '../config/schema.js';
import type { ServerEvent } from '../events/server-events.js';
import type { EventTally } from '../metrics/tally.js';
import type { RefusalReason } from '../net/limiter.js';

/*
 * What the primary and its workers say to each other over the cluster's IPC channel (JSON). Both ends are
 * this program, so a message is trusted to be one of these once its `kind` is known.
 */

/** Live setting values as Push3 shows them, `[key, value]`, applied with LiveSettings.set. */
export type SettingValues = readonly (readonly [key: string, value: string])[];

/** A maildrop lock as its holder made it; a lock at the same path that is not this one is someone else's. */
export interface HeldLock {
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
  /** 0 where the file system does not record it. */
  readonly birthtimeMs: number;
}

export type ToWorker =
  /**
   * The first message: the config every worker runs with (the primary's, so all agree), the live settings, and
   * whether the events are watched one by one (see `events-watched`).
   */
  | { readonly kind: 'start'; readonly config: Config; readonly settings: SettingValues; readonly eventsWatched: boolean }
  /** SIGHUP: the config as the primary re-read it, for the worker's daemon.reload(). */
  | { readonly kind: 'reload'; readonly config: Config }
  /** Push3 changed the users file: answered with `done` and this id, so Push3 replies once every worker has it. */
  | { readonly kind: 'reload-users'; readonly id: number }
  /** Push3 KICK: end the session on this connection, or every session of this user; answered with `done`. */
  | { readonly kind: 'kick'; readonly id: number; readonly target: string }
  /** Push3 SET, or a reload, changed a live setting. */
  | { readonly kind: 'settings'; readonly settings: SettingValues }
  /**
   * A Push3 WATCH began or ceased to follow the events one by one: while one does, a worker sends them as they
   * are; otherwise its commands, retrievals and latencies go as tallies (metrics/tally.ts).
   */
  | { readonly kind: 'events-watched'; readonly watched: boolean };

export type FromWorker =
  /** Listening for the primary's messages now: the `start` may come. */
  | { readonly kind: 'waiting' }
  /** Listening: the ports bound (the same in every worker; with port 0 only a worker can tell). */
  | { readonly kind: 'ready'; readonly pop3Port: number; readonly pop3sPort: number | undefined }
  /** Events of this worker since the last batch, in order; the tally stands for some of them and folds after them. */
  | { readonly kind: 'events'; readonly events: readonly ServerEvent[]; readonly tally?: EventTally }
  | { readonly kind: 'locked'; readonly lock: HeldLock }
  | { readonly kind: 'unlocked'; readonly path: string }
  /** The request with this id has been carried out. */
  | { readonly kind: 'done'; readonly id: number }
  /** May this connection in (limits for the whole daemon)? Answered with `admission` and this id. */
  | { readonly kind: 'admit'; readonly id: number; readonly address: string }
  /** The admitted connection with this id has closed. */
  | { readonly kind: 'release'; readonly id: number }
  /** A login from this address failed: answered with `penalty` and this id, the delay for its reply. */
  | { readonly kind: 'login-failed'; readonly id: number; readonly address: string }
  | { readonly kind: 'login-ok'; readonly address: string }
  /** Several of the above, in the order they were sent (see outbox.ts). */
  | { readonly kind: 'batch'; readonly messages: readonly FromWorker[] };

/** The primary's answers to a worker's `admit` and `login-failed`, read as they come (never queued behind a reload). */
export type Answer =
  | { readonly kind: 'admission'; readonly id: number; readonly refused?: RefusalReason }
  | { readonly kind: 'penalty'; readonly id: number; readonly delayMs: number };

const TO_WORKER: ReadonlySet<string> = new Set<ToWorker['kind']>(['start', 'reload', 'reload-users', 'kick', 'settings', 'events-watched']);
const FROM_WORKER: ReadonlySet<string> = new Set<FromWorker['kind']>([
  'waiting',
  'ready',
  'events',
  'locked',
  'unlocked',
  'done',
  'admit',
  'release',
  'login-failed',
  'login-ok',
  'batch',
]);
const ANSWER: ReadonlySet<string> = new Set<Answer['kind']>(['admission', 'penalty']);

const kindOf = (message: unknown): unknown =>
  typeof message === 'object' && message !== null ? (message as { kind?: unknown }).kind : undefined;

/** Cluster's own internal messages travel on the same channel; these tell ours apart. */
export const isToWorker = (message: unknown): message is ToWorker => TO_WORKER.has(String(kindOf(message)));
export const isFromWorker = (message: unknown): message is FromWorker => FROM_WORKER.has(String(kindOf(message)));
export const isAnswer = (message: unknown): message is Answer => ANSWER.has(String(kindOf(message)));
