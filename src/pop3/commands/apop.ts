import { createHash, timingSafeEqual } from 'node:crypto';
import { defineCommand } from '../command.js';
import { afterDirectory, concludeLogin } from '../login.js';

const DIGEST = /^[0-9a-f]{32}$/;

/**
 * APOP (RFC 1939 §7): MD5 of the greeting's timestamp and the shared secret. The password never crosses
 * the wire, so APOP stays allowed where plaintext authentication is not.
 */
export const apop = defineCommand({
  verb: 'APOP',
  phases: ['authorization'],
  args: { min: 2, max: 2 },
  run: (state, input, context) => {
    const [user, digest] = input.args as [string, string];
    return afterDirectory(context, state, context.users.plaintextSecret(user), (secret) => {
        // Hash even without a secret, so unknown users and hashed-only users take the same time.
        const expected = createHash('md5').update(context.timestamp + (secret ?? '')).digest();
        const wellFormed = DIGEST.test(digest.toLowerCase());
        const given = wellFormed ? Buffer.from(digest, 'hex') : Buffer.alloc(expected.length);
        const valid = timingSafeEqual(expected, given) && wellFormed && secret !== undefined;
        return concludeLogin(context, state, user, valid);
    });
  },
});
