import { err, type Reply } from './replies.js';
import type { Transaction } from './state.js';

const NUMBER = /^[1-9][0-9]{0,9}$/;

/** A message-number argument resolved to a 0-based index, or the -ERR that explains why not. */
export function resolveMessage(state: Transaction, arg: string): { index: number } | { error: Reply } {
  if (!NUMBER.test(arg)) return { error: err(`Invalid message number: ${arg.slice(0, 20)}`) };
  const index = Number(arg) - 1;
  if (index >= state.maildrop.messages.length) return { error: err(`No such message: ${arg}`) };
  if (state.deleted.has(index)) return { error: err(`Message ${arg} already deleted`) };
  return { index };
}

/** A non-negative line count for TOP. */
export function parseCount(arg: string): number | undefined {
  return /^[0-9]{1,9}$/.test(arg) ? Number(arg) : undefined;
}
