import type { Config } from './schema.js';

interface LiveKey {
  /** The running config with this key taken from the new one. */
  readonly apply: (running: Config, next: Config) => Config;
  /** The Push3 setting (live-settings.ts) that mirrors the key, and its value as text. */
  readonly setting?: (config: Config) => readonly [string, string];
}

/*
 * What a reload (SIGHUP) can change. The daemon reads these keys anew whenever it needs them, so the new
 * value takes effect at once; every other key was wired in at start (sockets, paths, the TLS and auth policy,
 * the Maildir store) and only a restart changes it.
 */
const LIVE: Readonly<Record<string, LiveKey>> = {
  'pop3.idleTimeout': {
    apply: (running, next) => ({ ...running, pop3: { ...running.pop3, idleTimeout: next.pop3.idleTimeout } }),
    setting: (config) => ['idle_timeout', String(config.pop3.idleTimeout)],
  },
  'pop3.loginTimeout': {
    apply: (running, next) => ({ ...running, pop3: { ...running.pop3, loginTimeout: next.pop3.loginTimeout } }),
  },
  'limits.maxConnections': {
    apply: (running, next) => ({ ...running, limits: { ...running.limits, maxConnections: next.limits.maxConnections } }),
    setting: (config) => ['max_connections', String(config.limits.maxConnections)],
  },
  'limits.maxConnectionsPerAddress': {
    apply: (running, next) => ({
      ...running,
      limits: { ...running.limits, maxConnectionsPerAddress: next.limits.maxConnectionsPerAddress },
    }),
  },
  'log.level': {
    apply: (running, next) => ({ ...running, log: { ...running.log, level: next.log.level } }),
    setting: (config) => ['log_level', config.log.level],
  },
  'push3.admins': {
    apply: (running, next) => ({ ...running, push3: { ...running.push3, admins: next.push3.admins } }),
  },
  'shutdown.graceSeconds': {
    apply: (running, next) => ({ ...running, shutdown: { ...running.shutdown, graceSeconds: next.shutdown.graceSeconds } }),
  },
};

export interface ReloadPlan {
  /** The config now in effect: the running one, with the live keys taken from the new one. */
  readonly config: Config;
  /** Live keys whose value changed. */
  readonly applied: readonly string[];
  /** Push3 settings to set so that they show the reloaded values: [setting, value]. */
  readonly settings: readonly (readonly [string, string])[];
  /** Other keys whose value changed: the running daemon keeps the old value. */
  readonly needsRestart: readonly string[];
}

/** `key.path` -> value as JSON, so arrays compare by content. */
function leaves(config: Config): Map<string, string> {
  const out = new Map<string, string>();
  for (const [section, values] of Object.entries(config)) {
    // A top-level value (`workers`) is a leaf itself.
    if (typeof values !== 'object' || values === null || Array.isArray(values)) {
      out.set(section, JSON.stringify(values));
      continue;
    }
    for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
      out.set(`${section}.${key}`, JSON.stringify(value));
    }
  }
  return out;
}

export function planReload(running: Config, next: Config): ReloadPlan {
  const before = leaves(running);
  const after = leaves(next);
  const changed = [...new Set([...before.keys(), ...after.keys()])].filter((key) => before.get(key) !== after.get(key));
  const applied = changed.filter((key) => Object.hasOwn(LIVE, key));
  const config = applied.reduce((config, key) => LIVE[key]!.apply(config, next), running);
  return {
    config,
    applied,
    settings: applied.flatMap((key) => {
      const setting = LIVE[key]!.setting;
      return setting === undefined ? [] : [setting(config)];
    }),
    needsRestart: changed.filter((key) => !Object.hasOwn(LIVE, key)),
  };
}
