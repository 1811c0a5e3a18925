import { BehaviorSubject, type Observable } from 'rxjs';
import { MAX_TIMER_SECONDS, type Config } from './schema.js';

export type LogLevel = Config['log']['level'];

/** What may be changed while the daemon runs (Push3 GET/SET). Not persisted: a restart reads the config again. */
export interface Tunables {
  /** Simultaneous POP3 connections; 0 means unlimited. */
  readonly maxConnections: number;
  readonly idleTimeoutSeconds: number;
  readonly logLevel: LogLevel;
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const MAX_CONNECTIONS = 1_000_000;

interface Setting {
  readonly key: string;
  /** The new tunables, or why `text` is not a valid value. */
  parse(text: string, current: Tunables): Tunables | string;
  show(tunables: Tunables): string;
}

const SETTINGS: readonly Setting[] = [
  {
    key: 'max_connections',
    parse: (text, current) => {
      const n = /^\d{1,7}$/.test(text) ? Number(text) : NaN;
      return n <= MAX_CONNECTIONS ? { ...current, maxConnections: n } : `must be an integer from 0 to ${MAX_CONNECTIONS}`;
    },
    show: (t) => String(t.maxConnections),
  },
  {
    key: 'idle_timeout',
    parse: (text, current) => {
      const n = /^\d{1,10}(\.\d{1,3})?$/.test(text) ? Number(text) : NaN;
      return n > 0 && n <= MAX_TIMER_SECONDS
        ? { ...current, idleTimeoutSeconds: n }
        : `must be a number of seconds above 0 and at most ${MAX_TIMER_SECONDS}`;
    },
    show: (t) => String(t.idleTimeoutSeconds),
  },
  {
    key: 'log_level',
    parse: (text, current) => {
      const level = LOG_LEVELS.find((candidate) => candidate === text.toLowerCase());
      return level ? { ...current, logLevel: level } : `must be one of ${LOG_LEVELS.join(', ')}`;
    },
    show: (t) => t.logLevel,
  },
];

export const SETTING_KEYS: readonly string[] = SETTINGS.map((setting) => setting.key);

export type SetResult = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly reason: string };

/** The tunables as a BehaviorSubject: readers take `current` or follow `values$`; `set` validates. */
export interface LiveSettings {
  /** The current tunables, then each change. */
  readonly values$: Observable<Tunables>;
  readonly current: Tunables;
  /** The value as text, or undefined for an unknown key. */
  get(key: string): string | undefined;
  set(key: string, value: string): SetResult;
}

export function createLiveSettings(config: Config): LiveSettings {
  const subject = new BehaviorSubject<Tunables>({
    maxConnections: config.limits.maxConnections,
    idleTimeoutSeconds: config.pop3.idleTimeout,
    logLevel: config.log.level,
  });
  const find = (key: string): Setting | undefined => SETTINGS.find((setting) => setting.key === key.toLowerCase());
  return {
    values$: subject.asObservable(),
    get current() {
      return subject.value;
    },
    get: (key) => find(key)?.show(subject.value),
    set(key, text) {
      const setting = find(key);
      if (setting === undefined) {
        return { ok: false, reason: `unknown setting ${key}; known: ${SETTING_KEYS.join(', ')}` };
      }
      const next = setting.parse(text, subject.value);
      if (typeof next === 'string') return { ok: false, reason: `${setting.key} ${next}` };
      // Only a real change reaches the readers of values$.
      if (setting.show(next) !== setting.show(subject.value)) subject.next(next);
      return { ok: true, value: setting.show(next) };
    },
  };
}
