import { argumentSpec, Invalid, type ArgumentSpec } from '../session/arguments.js';
import { err, type Reply } from './replies.js';
import type { Transaction } from './state.js';

const NUMBER = /^[1-9][0-9]{0,9}$/;
const COUNT = /^[0-9]{1,9}$/;

/** A message number as the client wrote it: well-formed, 1-based, not yet checked against the maildrop. */
export type MessageNumber = number & { readonly __brand: 'MessageNumber' };

const messageNumber = (word: string): MessageNumber | Invalid =>
  NUMBER.test(word) ? (Number(word) as MessageNumber) : new Invalid(`Invalid message number: ${word.slice(0, 20)}`);

/** `msg` (DELE, RETR). */
export const oneMessage: ArgumentSpec<MessageNumber> = argumentSpec(1, 1, ([word = '']) => messageNumber(word));

/** `[msg]` (LIST, UIDL). */
export const optionalMessage: ArgumentSpec<MessageNumber | undefined> = argumentSpec(0, 1, ([word]) =>
  word === undefined ? undefined : messageNumber(word),
);

/** `msg n` (TOP): a message number and a non-negative line count. */
export const messageAndLines: ArgumentSpec<{ readonly message: MessageNumber; readonly lines: number }> = argumentSpec(
  2,
  2,
  ([messageWord = '', linesWord = '']) => {
    const message = messageNumber(messageWord);
    if (message instanceof Invalid) return message;
    if (!COUNT.test(linesWord)) return new Invalid(`Invalid line count: ${linesWord.slice(0, 20)}`);
    return { message, lines: Number(linesWord) };
  },
);

/** A message number resolved to a 0-based index in this maildrop, or the -ERR that explains why not. */
export function resolveMessage(state: Transaction, number: MessageNumber): { index: number } | { error: Reply } {
  const index = number - 1;
  if (index >= state.maildrop.messages.length) return { error: err(`No such message: ${number}`) };
  if (state.deleted.has(index)) return { error: err(`Message ${number} already deleted`) };
  return { index };
}
