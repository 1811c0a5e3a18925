import type { LoginThrottle } from '../auth/throttle.js';
import type { Admission, ConnectionLimiter } from '../net/limiter.js';
import { isAnswer, type Answer, type FromWorker } from './messages.js';

/** What a worker counts with when the counts are the primary's: the same ports a lone daemon has. */
export interface SharedLimits {
  readonly limiter: ConnectionLimiter;
  readonly throttle: LoginThrottle;
}

/**
 * A worker's connection limiter and login throttle, kept by the primary for the whole daemon, so that
 * `workers` changes nothing an attacker gets: each admission and each failed login asks the primary (one
 * IPC round trip), each close and each success tells it. Answers are read from the channel as they come.
 * Should the primary vanish, what is still pending is let through without a penalty: the worker exits
 * with it (see primary.ts).
 */
export function sharedLimits(send: (message: FromWorker) => void): SharedLimits {
  let nextId = 1;
  const pending = new Map<number, (answer: Answer | undefined) => void>();
  const ask = (make: (id: number) => FromWorker): Promise<Answer | undefined> => {
    if (!process.connected) return Promise.resolve(undefined);
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      send(make(id));
    });
  };
  process.on('message', (message: unknown) => {
    if (!isAnswer(message)) return;
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  });
  process.on('disconnect', () => {
    for (const resolve of pending.values()) resolve(undefined);
    pending.clear();
  });
  const admitted = (id: number): Admission => {
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        send({ kind: 'release', id });
      },
    };
  };
  return {
    limiter: {
      async admit(address) {
        let admission = 0;
        const answer = await ask((id) => ({ kind: 'admit', id: (admission = id), address }));
        if (answer?.kind === 'admission' && answer.refused !== undefined) return { admitted: false, reason: answer.refused };
        return admitted(admission);
      },
    },
    throttle: {
      async failed(address) {
        const answer = await ask((id) => ({ kind: 'login-failed', id, address }));
        return answer?.kind === 'penalty' ? answer.delayMs : 0;
      },
      succeeded: (address) => send({ kind: 'login-ok', address }),
    },
  };
}
