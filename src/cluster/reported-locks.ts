import type { Maildrop, MaildropStore } from '../maildrop/maildrop.js';
import { identifyLock } from './lock-registry.js';
import type { FromWorker } from './messages.js';

/**
 * A worker's maildrop store that tells the primary which lock each open maildrop holds, and when
 * it is let go, so that the primary can free the locks of a worker that dies (see LockRegistry).
 */
export function reportedLocks(
  store: MaildropStore,
  lockPath: (user: string) => Promise<string>,
  report: (message: FromWorker) => void,
): MaildropStore {
  return {
    async open(user) {
      const maildrop = await store.open(user);
      // No directory: a user without a Maildir, for whom nothing is locked.
      // A path that cannot be worked out now: the lock is simply not reported (it goes stale as without workers).
      const lock = await lockPath(user).then(identifyLock, () => undefined);
      if (lock !== undefined) report({ kind: 'locked', lock });
      const letGo = (): void => {
        if (lock !== undefined) report({ kind: 'unlocked', path: lock.path });
      };
      const reported: Maildrop = {
        user: maildrop.user,
        messages: maildrop.messages,
        read: (index) => maildrop.read(index),
        readAtOnce: (index) => maildrop.readAtOnce?.(index),
        markSeen: (index) => maildrop.markSeen(index),
        commit: (deleted) => maildrop.commit(deleted).finally(letGo),
        release: () => maildrop.release().finally(letGo),
      };
      return reported;
    },
  };
}
