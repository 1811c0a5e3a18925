import { ConfigError } from './errors.js';

/*
 * Overrides of single config keys, applied over the config file before validation: first the environment
 * (POP3D_<SECTION>_<KEY>), then --set flags in command-line order, so the last word wins. Values are JSON
 * when they parse as JSON (1111, true, ["a"]), else the text itself (/var/mail/%u/Maildir). Validation is
 * left to the schema, which names the key path of anything wrong.
 */

export interface Override {
  /** Key path into the config, e.g. ['mail', 'lockStaleSeconds']. */
  readonly path: readonly string[];
  readonly value: unknown;
}

export type Environment = Readonly<Record<string, string | undefined>>;

const ENV_PREFIX = 'POP3D_';

export function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `LOCK_STALE_SECONDS` -> `lockStaleSeconds`. */
function camelCase(words: readonly string[]): string {
  return words.map((word, i) => (i === 0 ? word : word.charAt(0).toUpperCase() + word.slice(1))).join('');
}

/** `POP3D_MAIL_LOCK_STALE_SECONDS=45` -> mail.lockStaleSeconds = 45; `POP3D_WORKERS=2` -> workers = 2. Section names hold no `_`. */
export function envOverrides(env: Environment): Override[] {
  return Object.keys(env)
    .filter((name) => name.startsWith(ENV_PREFIX))
    .sort()
    .map((name) => {
      const [section, ...key] = name.slice(ENV_PREFIX.length).toLowerCase().split('_');
      if (section === undefined || section === '' || key.includes('')) {
        throw new ConfigError(`environment variable ${name}: expected ${ENV_PREFIX}<SECTION>_<KEY>, e.g. POP3D_POP3_PORT`);
      }
      // A top-level key (POP3D_WORKERS) has no section.
      const path = key.length === 0 ? [section] : [section, camelCase(key)];
      return { path, value: parseValue(env[name] ?? '') };
    });
}

/** `pop3.port=1111` -> pop3.port = 1111. */
export function parseSetFlag(text: string): Override {
  const at = text.indexOf('=');
  const path = at === -1 ? [] : text.slice(0, at).split('.');
  if (path.length === 0 || path.includes('')) {
    throw new ConfigError(`--set ${text}: expected KEY=VALUE, e.g. --set pop3.port=1111`);
  }
  return { path, value: parseValue(text.slice(at + 1)) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy of `raw` with one key replaced; sections that do not exist yet are created. */
function withValue(raw: unknown, path: readonly string[], value: unknown, done: readonly string[] = []): unknown {
  const [key, ...rest] = path;
  if (key === undefined) return value;
  const base = raw ?? {};
  if (!isObject(base)) throw new ConfigError(`invalid config: ${done.join('.') || '(root)'}: expected an object`);
  return { ...base, [key]: withValue(base[key], rest, value, [...done, key]) };
}

/** Pure: the raw config with every override applied in order. */
export function applyOverrides(raw: unknown, overrides: readonly Override[]): unknown {
  return overrides.reduce((config, { path, value }) => withValue(config, path, value), raw);
}
