import type { ReadStream } from 'node:tty';
import type { Readable } from 'node:stream';
import { CliError, EX } from './exit-codes.js';

/*
 * A new password never comes from argv, where `ps` and shell history would show it: it is typed at a
 * terminal (twice, not echoed) or, when stdin is not a terminal, read from stdin (`pwgen 20 1 | pop3d ...`).
 */

const ENTER = new Set(['\r', '\n']);
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const CTRL_U = '\u0015';
const ERASE = new Set(['\u007f', '\b']);

/** Reads one line in raw mode, so nothing typed is echoed. */
function promptHidden(prompt: string, input: ReadStream, output: NodeJS.WritableStream): Promise<string> {
  // Raw (no echo) before the prompt shows: whatever is typed after seeing it is never echoed.
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  output.write(prompt);
  return new Promise((resolve, reject) => {
    let typed: string[] = [];
    const done = (): void => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
    };
    const onData = (text: string): void => {
      for (const char of text) {
        if (ENTER.has(char) || char === CTRL_D) {
          done();
          resolve(typed.join(''));
          return;
        }
        if (char === CTRL_C) {
          done();
          reject(new CliError('cancelled', 130));
          return;
        }
        if (ERASE.has(char)) typed = typed.slice(0, -1);
        else if (char === CTRL_U) typed = [];
        else typed.push(char);
      }
    };
    input.on('data', onData);
  });
}

/** All of stdin, less one line terminator: `echo pw |` and `printf pw |` both give "pw". */
async function readPiped(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** The new password; the editor then refuses an empty one or one with control characters. */
export async function readNewPassword(stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (!stdin.isTTY) return readPiped(stdin);
  const tty = stdin as ReadStream;
  const password = await promptHidden('New password: ', tty, process.stderr);
  const again = await promptHidden('Retype new password: ', tty, process.stderr);
  if (password !== again) throw new CliError('the passwords do not match; nothing changed', EX.FAILURE);
  return password;
}
