import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError } from './errors.js';
import { applyOverrides, type Override } from './overrides.js';
import { configSchema, type Config } from './schema.js';

export { ConfigError };

/** Validates raw JSON into a Config; every problem is reported with its key path. */
export function parseConfig(raw: unknown): Config {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') {
      const prefix = path ? `${path}.` : '';
      return issue.keys.map((key) => `${prefix}${key}: unknown key`).join('; ');
    }
    return `${path || '(root)'}: ${issue.message}`;
  });
  throw new ConfigError(`invalid config: ${problems.join('; ')}`);
}

/** Paths in the config are relative to the config file's folder. */
export function resolvePaths(config: Config, baseDir: string): Config {
  const at = (path: string): string => (isAbsolute(path) ? path : resolve(baseDir, path));
  // A Maildir template that starts at the user's home is absolute once %h is substituted.
  const maildir = config.mail.maildir.startsWith('%h') ? config.mail.maildir : at(config.mail.maildir);
  const ldap = config.users.ldap;
  return {
    ...config,
    mail: {
      ...config.mail,
      maildir,
      welcome: config.mail.welcome === undefined ? undefined : at(config.mail.welcome),
    },
    users: {
      ...config.users,
      file: at(config.users.file),
      ldap: ldap && { ...ldap, caFile: ldap.caFile === undefined ? undefined : at(ldap.caFile) },
    },
    tls: { cert: config.tls.cert && at(config.tls.cert), key: config.tls.key && at(config.tls.key) },
  };
}

/**
 * The effective config: the file, then the overrides (overrides.ts) in order, validated, with defaults.
 * Every relative path, the overrides' included, is relative to the config file's folder.
 */
export function loadConfigFile(file: string, overrides: readonly Override[] = []): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config ${file}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config ${file} is not valid JSON: ${(error as Error).message}`);
  }
  return resolvePaths(parseConfig(applyOverrides(raw, overrides)), dirname(resolve(file)));
}
