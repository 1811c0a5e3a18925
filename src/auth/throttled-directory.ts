import type { LoginThrottle } from './throttle.js';
import type { UserDirectory } from './users.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The directory as one peer sees it: a failed authentication resolves only after the address's penalty, a
 * success clears it. For protocols whose sessions do not wait on a scheduler themselves (Push3 LOGIN);
 * sharing POP3's throttle makes an address pay for failures on either protocol.
 */
export function throttledDirectory(
  users: UserDirectory,
  throttle: LoginThrottle,
  address: string,
  wait = sleep,
): UserDirectory {
  return {
    async authenticate(user, password) {
      const valid = await users.authenticate(user, password);
      if (valid) throttle.succeeded(address);
      else await wait(await throttle.failed(address));
      return valid;
    },
    plaintextSecret: (user) => users.plaintextSecret(user),
    exists: (user) => users.exists(user),
    list: () => users.list(),
    lookup: (user) => users.lookup(user),
    credentialStamp: users.credentialStamp && ((user) => users.credentialStamp!(user)),
  };
}
