import { addUser, removeUser, setPassword, UserEditError } from '../auth/passwd-editor.js';

/** The user management Push3 needs, narrowed to what its commands do. */
export interface UserAdmin {
  list(): Promise<readonly string[]>;
  add(name: string, password: string): Promise<void>;
  remove(name: string): Promise<void>;
  passwd(name: string, password: string): Promise<void>;
}

/** A refused change (user exists or is missing, bad name or password): its message is safe to show the admin. */
export class AdminRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminRefusal';
  }
}

/** What must be re-read after an edit, so that the next POP3 login sees it. */
export interface ReloadableDirectory {
  reload(): Promise<void>;
  list(): Promise<readonly string[]>;
}

/**
 * User management on the users file: each change is an atomic rewrite by the passwd editor (passwords
 * hashed), then a reload of the directory. Open POP3 sessions are not touched: a removed user's session
 * runs to its end, it just cannot log in again.
 */
export function passwdFileAdmin(path: string, directory: ReloadableDirectory): UserAdmin {
  const editThenReload = async (edit: () => Promise<void>): Promise<void> => {
    try {
      await edit();
    } catch (error) {
      throw error instanceof UserEditError ? new AdminRefusal(error.message) : error;
    }
    await directory.reload();
  };
  return {
    list: () => directory.list(),
    add: (name, password) => editThenReload(() => addUser(path, name, password)),
    remove: (name) => editThenReload(() => removeUser(path, name)),
    passwd: (name, password) => editThenReload(() => setPassword(path, name, password)),
  };
}
