#!/usr/bin/env node
import { runCli } from './cli/run.js';
import { describeFailure } from './cli/exit-codes.js';

/* The `pop3d` executable: everything lives in cli/, one module per command. */
runCli(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (error: unknown) => {
    const { message, exitCode } = describeFailure(error);
    process.stderr.write(`pop3d: ${message}\n`);
    process.exit(exitCode);
  },
);
