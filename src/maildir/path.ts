import { isAbsolute, normalize } from 'node:path';
import { validateUserName } from '../auth/username.js';
import type { UserDirectory, UserRecord } from '../auth/users.js';

/*
 * A user's Maildir path, from `mail.maildir` or the user's own entry, Dovecot style:
 *   %u the whole user name, %n the part before "@", %d the part after it (empty without "@"),
 *   %h the user's home directory, %% a "%".
 * Every substituted part is checked before it becomes part of a path, so no name or home from a users file or
 * a directory can climb out of the folder the template names.
 */

const VARIABLE = /%(.)/gsu;
const KNOWN = new Set(['u', 'n', 'd', 'h', '%']);

/** Why `template` cannot be a Maildir template (an unknown variable, none per user), or undefined. */
export function templateProblem(template: string): string | undefined {
  const unknown = [...template.matchAll(VARIABLE)].map((match) => match[1]!).filter((name) => !KNOWN.has(name));
  if (template.endsWith('%') && !template.endsWith('%%')) unknown.push('');
  if (unknown.length > 0) return `unknown variable ${unknown.map((name) => `%${name}`).join(', ')} (known: %u, %n, %d, %h, %%)`;
  if (!/%[unh]/u.test(template.replaceAll('%%', ''))) return 'must contain %u, %n or %h, so that each user has a Maildir of their own';
  // `%u/../Maildir` would give every user the same Maildir: no `.` or `..` part from the first variable on
  // (before it, `../mail` relative to the config's folder is a fixed place like any other).
  const first = template.replaceAll('%%', '__').search(/%[a-z]/u);
  const perUser = template.slice(template.lastIndexOf('/', first) + 1).split('/');
  if (perUser.some((part) => part === '..' || part === '.')) {
    return 'must not contain a "." or ".." part from its first variable on, which could lead users out of their own Maildir';
  }
  return undefined;
}

/** A home directory that may become the start of a path: absolute, normalised, no control characters. */
function homeProblem(home: string): string | undefined {
  if (!isAbsolute(home)) return 'is not an absolute path';
  if (/[\u0000-\u001f\u007f]/u.test(home)) return 'contains a control character';
  if (home.split('/').includes('..') || normalize(home) !== home.replace(/(.)\/+$/u, '$1')) return 'is not a normalised path';
  return undefined;
}

function checked(what: string, value: string, problem: string | undefined): string {
  if (problem !== undefined) throw new Error(`invalid ${what} ${JSON.stringify(value)}: it ${problem}`);
  return value;
}

function expand(template: string, record: UserRecord): string {
  const name = record.name;
  const at = name.indexOf('@');
  return template.replace(VARIABLE, (whole, variable: string) => {
    switch (variable) {
      case 'u':
        return checked('user name', name, validateUserName(name));
      case 'n': {
        const local = at === -1 ? name : name.slice(0, at);
        return checked('user name part', local, validateUserName(local));
      }
      case 'd': {
        const domain = at === -1 ? '' : name.slice(at + 1);
        return domain === '' ? '' : checked('domain', domain, validateUserName(domain));
      }
      case 'h':
        if (record.home === undefined) throw new Error(`user ${name} has no home directory for %h`);
        return checked('home directory', record.home, homeProblem(record.home));
      case '%':
        return '%';
      default:
        throw new Error(`unknown variable ${whole}`);
    }
  });
}

/**
 * The Maildir of `user`: the user's own Maildir when the directory gives one (`~` standing for the home
 * directory, variables expanded as in the template), else `template` expanded. Throws, naming the part, when
 * a substituted part is unsafe in a path or the result is not absolute.
 */
export function maildirFor(template: string, user: UserRecord | string): string {
  const record: UserRecord = typeof user === 'string' ? { name: user } : user;
  const own = record.maildir;
  const path = own === undefined ? expand(template, record) : expand(own.startsWith('~') ? `%h${own.slice(1)}` : own, record);
  if (own !== undefined) checked('Maildir', path, isAbsolute(path) && !path.split('/').includes('..') ? undefined : 'is not an absolute path without ".."');
  return path;
}

/** Where each user's Maildir is, asking the directory for the user's record (cached there). */
export function maildirLocator(template: string, users: Pick<UserDirectory, 'lookup'>): (user: string) => Promise<string> {
  return async (user) => {
    const record = await users.lookup(user);
    if (record === undefined) throw new Error(`no user ${JSON.stringify(user)} in the user directory`);
    return maildirFor(template, record);
  };
}
