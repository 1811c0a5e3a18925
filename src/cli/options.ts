import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../config/load.js';
import { envOverrides, parseSetFlag, type Environment } from '../config/overrides.js';
import type { Config } from '../config/schema.js';
import { packageFile } from '../process/package-files.js';
import { CliError, EX } from './exit-codes.js';

export const DEFAULT_CONFIG = fileURLToPath(packageFile('config/default.json'));

/** The options every command takes; they may come before or after the command's words. */
export interface Invocation {
  /** The words after the command name, e.g. ['add', 'bob'] for `pop3d user add bob`. */
  readonly args: readonly string[];
  readonly configFile: string;
  /** `--set KEY=VALUE`, in command-line order. */
  readonly sets: readonly string[];
  readonly help: boolean;
}

export interface ParsedCommandLine extends Invocation {
  readonly command: string | undefined;
  readonly version: boolean;
}

const OPTIONS = {
  config: { type: 'string' },
  set: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

function parse(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, options: OPTIONS });
  } catch (error) {
    throw new CliError(`${(error as Error).message}; see pop3d --help`, EX.USAGE);
  }
}

export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  const { values, positionals } = parse(argv);
  const [command, ...args] = positionals;
  return {
    command,
    args,
    configFile: values.config ?? DEFAULT_CONFIG,
    sets: values.set ?? [],
    help: values.help ?? false,
    version: values.version ?? false,
  };
}

/** The effective config: file < environment < --set flags. */
export function loadConfig(invocation: Invocation, env: Environment = process.env): Config {
  return loadConfigFile(invocation.configFile, [...envOverrides(env), ...invocation.sets.map(parseSetFlag)]);
}
