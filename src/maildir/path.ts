import { validateUserName } from '../auth/username.js';

/** The Maildir of `user`: every `%u` in the template replaced. Throws for a name that is unsafe in a path. */
export function maildirFor(template: string, user: string): string {
  const reason = validateUserName(user);
  if (reason !== undefined) throw new Error(`invalid user name: ${reason}`);
  return template.replaceAll('%u', user);
}
