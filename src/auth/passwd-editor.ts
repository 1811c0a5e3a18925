import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { acquireDotlock } from '../lock/dotlock.js';
import { hasErrorCode } from '../process/errno.js';
import { replaceFileAtomically } from '../process/atomic-file.js';
import { parsePasswdFile, passwdNameProblem, withUser, withoutUser } from './passwd-file.js';
import { hashPassword } from './password-schemes.js';
import { validateUserName } from './username.js';

/*
 * Edits of the users file, for the CLI and the Push3 admin commands. Each edit rewrites the file atomically
 * (process/atomic-file.ts). Edits of one file within this process run one after another, and across processes
 * (the CLI beside the daemon, or ten `pop3d user add` at once) each read-and-rewrite holds the file's dotlock
 * (`<file>.lock`), so two concurrent edits never lose each other's change. New passwords are always stored
 * hashed (hashPassword), never in plaintext.
 */

/** A refused edit (bad name or password, user exists or is missing): the file is unchanged. */
export class UserEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserEditError';
  }
}

const CONTROL = /[\u0000-\u001f\u007f]/;

export function checkName(name: string): void {
  const problem = validateUserName(name) ?? passwdNameProblem(name);
  if (problem !== undefined) throw new UserEditError(`user name ${JSON.stringify(name)} ${problem}`);
}

/** `PASS <password>` must fit in a POP3 command line (MAX_COMMAND_OCTETS): a longer password could never log in. */
export const MAX_PASSWORD_OCTETS = 250;

export function checkPassword(password: string): void {
  if (password === '') throw new UserEditError('password is empty');
  if (CONTROL.test(password)) throw new UserEditError('password contains a control character');
  if (Buffer.byteLength(password) > MAX_PASSWORD_OCTETS) {
    throw new UserEditError(`password is longer than ${MAX_PASSWORD_OCTETS} octets, which no POP3 PASS line can carry`);
  }
}

/** The tail of each file's queue of edits; an entry is removed once its queue runs dry. */
const queues = new Map<string, Promise<void>>();

function serialised<T>(path: string, task: () => Promise<T>): Promise<T> {
  const key = resolve(path);
  const result = (queues.get(key) ?? Promise.resolve()).then(task);
  const tail = result.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, tail);
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return result;
}

/** A missing file reads as empty, so the first addUser creates it. */
async function readUsers(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return '';
    throw error;
  }
}

function hasUser(text: string, name: string): boolean {
  return parsePasswdFile(text).entries.some((entry) => entry.name === name);
}

/** Reads, changes and rewrites the file as one step of its queue. */
function edit(path: string, change: (text: string) => string): Promise<void> {
  return serialised(path, async () => {
    const release = await acquireDotlock(path);
    try {
      const text = await readUsers(path);
      await replaceFileAtomically(path, change(text));
    } finally {
      await release();
    }
  });
}

export async function addUser(path: string, name: string, password: string): Promise<void> {
  checkName(name);
  checkPassword(password);
  // Hashed before queueing: the slow part should not hold up other edits.
  const secret = await hashPassword(password);
  await edit(path, (text) => {
    if (hasUser(text, name)) throw new UserEditError(`user ${name} already exists`);
    return withUser(text, name, secret);
  });
}

export async function setPassword(path: string, name: string, password: string): Promise<void> {
  checkName(name);
  checkPassword(password);
  const secret = await hashPassword(password);
  await edit(path, (text) => {
    if (!hasUser(text, name)) throw new UserEditError(`no user ${name}`);
    return withUser(text, name, secret);
  });
}

export async function removeUser(path: string, name: string): Promise<void> {
  checkName(name);
  await edit(path, (text) => {
    if (!hasUser(text, name)) throw new UserEditError(`no user ${name}`);
    return withoutUser(text, name);
  });
}
