import type { FromWorker } from './messages.js';

/** Hands one message to the channel; `sent` once it is written (or at once, when there is no channel). */
export type Post = (message: FromWorker, sent: () => void) => void;

/**
 * A worker's messages to the primary, gathered over one turn of the event loop and posted as one `batch`.
 * Under load a turn serves many sessions' admissions, releases and lock changes, and every IPC message
 * costs the primary a wake-up, a read and a parse. Order is kept, and nothing waits past the turn it was
 * sent in (setImmediate), so a question is not slowed and no notice is held where a crash could lose it.
 * Each send resolves once its batch is written.
 */
export function gatheringSender(post: Post): (message: FromWorker) => Promise<void> {
  let held: FromWorker[] = [];
  let waiting: (() => void)[] = [];
  const flush = (): void => {
    const messages = held;
    const sent = waiting;
    held = [];
    waiting = [];
    post(messages.length === 1 ? messages[0]! : { kind: 'batch', messages }, () => {
      for (const resolve of sent) resolve();
    });
  };
  return (message) =>
    new Promise((resolve) => {
      if (held.length === 0) setImmediate(flush);
      held.push(message);
      waiting.push(resolve);
    });
}
