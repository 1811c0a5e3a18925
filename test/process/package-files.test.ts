import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { packageFile } from '../../src/process/package-files.js';

describe('packageFile', () => {
  it("finds the package's own files from the nearest package.json above the module", () => {
    const pkg = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { name: string };
    expect(pkg.name).toBe('pop3d');
    expect(fileURLToPath(packageFile('config/default.json'))).toBe(fileURLToPath(new URL('../../config/default.json', import.meta.url)));
    expect(readFileSync(packageFile('dashboard/index.html'), 'utf8')).toMatch(/<html/i);
  });
});
