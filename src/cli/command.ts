import type { Invocation } from './options.js';

/** One subcommand of pop3d. */
export interface Command {
  readonly name: string;
  /** One line for `pop3d --help`. */
  readonly summary: string;
  /** The text of `pop3d <name> --help`. */
  readonly help: string;
  /** Resolves with the exit code, or with undefined when the command keeps running (serve). */
  run(invocation: Invocation): Promise<number | undefined>;
}

export const OPTIONS = `Options:
  --config FILE     config file (default: the embedded config/default.json)
  --set KEY=VALUE   override one config key, e.g. --set pop3.port=1111 (repeatable)
  -h, --help        show this help`;

export const CONFIG_SOURCES = `Config keys may also be set in the environment as POP3D_<SECTION>_<KEY>, e.g. POP3D_POP3_PORT=1111 or
POP3D_MAIL_LOCK_STALE_SECONDS=60. The file is read first, then the environment, then --set flags.`;

export const COMMON_OPTIONS = `${OPTIONS}\n\n${CONFIG_SOURCES}`;
