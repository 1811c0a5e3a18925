import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The package's own files (package.json, config/, dashboard/) are found from the nearest folder above this
 * module that holds package.json, so the same code finds them from src/ (tests), from tsc's dist/ tree, and
 * from the one-file bundle the `pop3d` command runs (dist/bundle/), whose modules all share one URL.
 */
function packageRoot(from: URL): URL {
  for (let folder = new URL('.', from); ; folder = new URL('..', folder)) {
    if (existsSync(new URL('package.json', folder))) return folder;
    if (folder.pathname === '/') throw new Error(`no package.json above ${fileURLToPath(from)}`);
  }
}

let root: URL | undefined;

/** `relative` (e.g. 'config/default.json') as a URL in the installed package. */
export function packageFile(relative: string): URL {
  root ??= packageRoot(new URL(import.meta.url));
  return new URL(relative, root);
}
