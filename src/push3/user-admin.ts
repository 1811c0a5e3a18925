import { UserEditError } from '../auth/passwd-editor.js';
import { DirectoryUnavailableError } from '../auth/users.js';

/** The user management Push3 needs, narrowed to what its commands do. */
export interface UserAdmin {
  list(): Promise<readonly string[]>;
  add(name: string, password: string): Promise<void>;
  remove(name: string): Promise<void>;
  passwd(name: string, password: string): Promise<void>;
}

/**
 * A refused change (user exists or is missing, bad name or password, not configured for this source, directory
 * unavailable): its message is safe to show the admin.
 */
export class AdminRefusal extends Error {
  /** `cause`: the failure behind a refusal that the operator must see in the log (the directory's). */
  constructor(message: string, options?: { readonly cause: unknown }) {
    super(message, options);
    this.name = 'AdminRefusal';
  }
}

/** A directory that can be edited, and must be re-read after an edit so that the next POP3 login sees it. */
export interface EditableDirectory {
  reload(): Promise<void>;
  list(): Promise<readonly string[]>;
  add(name: string, password: string): Promise<void>;
  setPassword(name: string, password: string): Promise<void>;
  remove(name: string): Promise<void>;
}

function refusal(error: unknown): unknown {
  if (error instanceof UserEditError) return new AdminRefusal(error.message);
  if (error instanceof DirectoryUnavailableError) return new AdminRefusal('User directory unavailable, try again later', { cause: error });
  return error;
}

/**
 * User management through the user directory (the users file's atomic rewrites, or the source's queries;
 * passwords always stored hashed), then a reload. Open POP3 sessions are not touched: a removed user's session
 * runs to its end, it just cannot log in again.
 */
export function directoryAdmin(directory: EditableDirectory): UserAdmin {
  const editThenReload = async (edit: () => Promise<void>): Promise<void> => {
    await edit().catch((error: unknown) => Promise.reject(refusal(error)));
    await directory.reload();
  };
  return {
    list: () => directory.list().catch((error: unknown) => Promise.reject(refusal(error))),
    add: (name, password) => editThenReload(() => directory.add(name, password)),
    remove: (name) => editThenReload(() => directory.remove(name)),
    passwd: (name, password) => editThenReload(() => directory.setPassword(name, password)),
  };
}
