import { COMMON_OPTIONS, type Command } from './command.js';
import { CliError, describeFailure, EX } from './exit-codes.js';
import { loadConfig, type Invocation } from './options.js';

export const checkConfig: Command = {
  name: 'check-config',
  summary: 'validate the config and print it, defaults included, as JSON',
  help: `Usage: pop3d check-config [options]

Reads the config as the daemon would (file, then environment, then --set flags), validates it and prints
the effective config, every default filled in and paths made absolute, as JSON on stdout.
Exits 0 when the config is valid; 1, naming each bad key, when it is not.

${COMMON_OPTIONS}`,
  async run(invocation: Invocation) {
    if (invocation.args.length > 0) throw new CliError('check-config takes no arguments; see pop3d check-config --help', EX.USAGE);
    let config;
    try {
      config = loadConfig(invocation);
    } catch (error) {
      // Here a bad config is the answer, not a failure to run: plain 1, as promised above.
      throw new CliError(describeFailure(error).message, EX.FAILURE);
    }
    process.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
    return EX.OK;
  },
};
