import { from, map, of, type Observable } from 'rxjs';
import type { UserDirectory } from '../auth/users.js';

/**
 * Where a Push3 admin's powers come from, read anew for every command: the name is in `push3.admins` (as
 * last reloaded), the user is in the users file, and the password is the one they logged in with. The
 * grant is an opaque token: equal tokens mean the same powers; `undefined` means none.
 */
export type Authority = (user: string) => Observable<string | undefined>;

export function adminAuthority(admins: () => readonly string[], users: UserDirectory): Authority {
  return (user) => {
    if (!admins().includes(user)) return of(undefined);
    if (users.credentialStamp !== undefined) return from(users.credentialStamp(user));
    // A directory that cannot tell a password change still tells a removed user.
    return from(users.exists(user)).pipe(map((exists) => (exists ? 'listed' : undefined)));
  };
}
