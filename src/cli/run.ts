import { readFileSync } from 'node:fs';
import { packageFile } from '../process/package-files.js';
import { checkConfig } from './check-config.js';
import { CONFIG_SOURCES, OPTIONS, type Command } from './command.js';
import { deliver } from './deliver.js';
import { CliError, EX } from './exit-codes.js';
import { parseCommandLine } from './options.js';
import { serve } from './serve.js';
import { uidl } from './uidl.js';
import { user } from './user.js';

const COMMANDS: readonly Command[] = [serve, checkConfig, user, deliver, uidl];

function usage(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length)) + 2;
  const list = COMMANDS.map((command) => `  ${command.name.padEnd(width)}${command.summary}`).join('\n');
  return `Usage: pop3d <command> [options]

Commands:
${list}
  ${'help'.padEnd(width)}show the help of a command: pop3d help deliver

${OPTIONS}
  --version         print the version

${CONFIG_SOURCES}`;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function find(name: string): Command {
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) throw new CliError(`unknown command '${name}'; see pop3d --help`, EX.USAGE);
  return command;
}

/** Runs one command line; resolves with the exit code, or undefined while the command keeps running. */
export async function runCli(argv: readonly string[]): Promise<number | undefined> {
  const invocation = parseCommandLine(argv);
  const { command: name, args, help } = invocation;
  if (invocation.version) {
    process.stdout.write(`pop3d ${version()}\n`);
    return EX.OK;
  }
  if (name === undefined) {
    (help ? process.stdout : process.stderr).write(`${usage()}\n`);
    return help ? EX.OK : EX.USAGE;
  }
  if (name === 'help') {
    process.stdout.write(`${args[0] === undefined ? usage() : find(args[0]).help}\n`);
    return EX.OK;
  }
  const command = find(name);
  if (help) {
    process.stdout.write(`${command.help}\n`);
    return EX.OK;
  }
  return command.run(invocation);
}
