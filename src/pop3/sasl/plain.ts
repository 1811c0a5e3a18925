import type { SaslMechanism } from './mechanism.js';

/** RFC 4616: [authzid] NUL authcid NUL passwd. We log in as authcid; acting as another user is refused. */
export const plain: SaslMechanism = {
  name: 'PLAIN',
  plaintext: true,
  credentials(response) {
    const parts = response.toString('utf8').split('\0');
    if (parts.length !== 3) return { malformed: 'Malformed PLAIN response' };
    const [authzid, user, password] = parts as [string, string, string];
    if (user === '' || password === '') return { malformed: 'Malformed PLAIN response' };
    if (authzid !== '' && authzid !== user) return { malformed: 'Authorization identity not permitted' };
    return { user, password };
  },
};
