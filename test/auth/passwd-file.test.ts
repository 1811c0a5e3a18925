import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePasswdFile, passwdNameProblem, withUser, withoutUser } from '../../src/auth/passwd-file.js';

const SHA512 = '$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1';

/** Lines with their terminators, the way the module under test sees them. */
const linesOf = (text: string): string[] => text.match(/[^\n]*\n|[^\n]+$/g) ?? [];

describe('parsePasswdFile', () => {
  it('reads Dovecot lines: name, password, home and userdb_mail; uid, gid, gecos and shell ignored', () => {
    const text = [
      '# users, in the style of the Dovecot documentation',
      'user:{PLAIN}password:1000:1000::/home/user::userdb_mail=maildir:~/Maildir',
      `user2:{SHA512-CRYPT}${SHA512}`,
      `bare:${SHA512}::::::`,
      '',
    ].join('\n');
    const { entries, problems } = parsePasswdFile(text);
    expect(problems).toEqual([]);
    expect(entries).toEqual([
      { line: 2, name: 'user', password: '{PLAIN}password', home: '/home/user', maildir: '~/Maildir' },
      { line: 3, name: 'user2', password: `{SHA512-CRYPT}${SHA512}`, home: undefined },
      { line: 4, name: 'bare', password: SHA512, home: undefined },
    ]);
  });

  it('skips comments and blank lines, drops CR of CRLF, and reads a last line without newline', () => {
    const { entries, problems } = parsePasswdFile('#a:b\r\n\r\n   \nalice:{PLAIN}x\r\nbob:{PLAIN}y');
    expect(problems).toEqual([]);
    expect(entries).toEqual([
      { line: 4, name: 'alice', password: '{PLAIN}x' },
      { line: 5, name: 'bob', password: '{PLAIN}y' },
    ]);
  });

  it('keeps a user without password field (it exists, but cannot log in)', () => {
    expect(parsePasswdFile('carol\ndave:\n').entries).toEqual([
      { line: 1, name: 'carol', password: '' },
      { line: 2, name: 'dave', password: '' },
    ]);
  });

  it('reports malformed lines by number and still loads the other users', () => {
    const text = ['alice:{PLAIN}a', ':{PLAIN}nameless', '../etc:{PLAIN}x', 'bad name:{PLAIN}x', 'alice:{PLAIN}again', 'bob:{PLAIN}b'].join(
      '\n',
    );
    const { entries, problems } = parsePasswdFile(text);
    expect(entries.map((entry) => entry.name)).toEqual(['alice', 'bob']);
    expect(entries[0]?.password).toBe('{PLAIN}a');
    expect(problems.map((problem) => problem.line)).toEqual([2, 3, 4, 5]);
    expect(problems[0]?.reason).toContain('is empty');
    expect(problems[3]?.reason).toContain('already defined on line 1');
  });

  it('reads an empty file as no users', () => {
    expect(parsePasswdFile('')).toEqual({ entries: [], problems: [] });
  });
});

describe('withUser', () => {
  const file = '# admins\nalice:{PLAIN}old:1000:1000::/home/alice::userdb_mail=maildir:~/Maildir\n\nbob:{PLAIN}b\n';

  it('replaces the password field and keeps the other fields', () => {
    expect(withUser(file, 'alice', '{PLAIN}new')).toBe(
      '# admins\nalice:{PLAIN}new:1000:1000::/home/alice::userdb_mail=maildir:~/Maildir\n\nbob:{PLAIN}b\n',
    );
  });

  it('gives a password to a name-only line', () => {
    expect(withUser('carol\n', 'carol', '{PLAIN}c')).toBe('carol:{PLAIN}c\n');
  });

  it('appends a new user, after adding a missing final newline, in the file’s line ending', () => {
    expect(withUser(file, 'carol', '{PLAIN}c')).toBe(`${file}carol:{PLAIN}c\n`);
    expect(withUser('bob:{PLAIN}b', 'carol', '{PLAIN}c')).toBe('bob:{PLAIN}b\ncarol:{PLAIN}c\n');
    expect(withUser('bob:{PLAIN}b\r\n', 'carol', '{PLAIN}c')).toBe('bob:{PLAIN}b\r\ncarol:{PLAIN}c\r\n');
    expect(withUser('', 'carol', '{PLAIN}c')).toBe('carol:{PLAIN}c\n');
  });

  it('keeps a CRLF ending of the replaced line', () => {
    expect(withUser('alice:{PLAIN}a:1\r\nbob:x\r\n', 'alice', '{PLAIN}z')).toBe('alice:{PLAIN}z:1\r\nbob:x\r\n');
  });

  it('never writes a line that would split or hide: it throws instead', () => {
    expect(() => withUser(file, 'a:b', '{PLAIN}x')).toThrow(RangeError);
    expect(() => withUser(file, '#a', '{PLAIN}x')).toThrow(RangeError);
    expect(() => withUser(file, 'a\nb', '{PLAIN}x')).toThrow(RangeError);
    expect(() => withUser(file, 'alice', '{PLAIN}x:y')).toThrow(RangeError);
    expect(() => withUser(file, 'alice', '{PLAIN}x\n')).toThrow(RangeError);
  });
});

describe('withoutUser', () => {
  it('removes every line of the user and nothing else', () => {
    const text = '# c\nalice:{PLAIN}a\nbob:{PLAIN}b\nalice:{PLAIN}dup\n#alice:{PLAIN}commented\n';
    expect(withoutUser(text, 'alice')).toBe('# c\nbob:{PLAIN}b\n#alice:{PLAIN}commented\n');
  });

  it('returns the text unchanged when the user is absent', () => {
    expect(withoutUser('bob:{PLAIN}b', 'alice')).toBe('bob:{PLAIN}b');
  });
});

describe('passwdNameProblem', () => {
  it('accepts ordinary names and explains the rest', () => {
    expect(passwdNameProblem('alice')).toBeUndefined();
    expect(passwdNameProblem(' ')).toBe('is blank');
    expect(passwdNameProblem('#x')).toContain('comment');
    expect(passwdNameProblem('a:b')).toContain(':');
    expect(passwdNameProblem('a\tb')).toContain('control');
  });
});

describe('edits keep all other lines byte-identical (property)', () => {
  const NAMES = ['alice', 'bob', 'carol'] as const;
  const content = (extra: fc.Arbitrary<string>) => extra.filter((text) => !/[\r\n]/.test(text));
  const userLine = fc
    .tuple(fc.constantFrom(...NAMES), content(fc.string()).filter((text) => !text.includes(':')), fc.option(content(fc.string())))
    .map(([name, password, rest]) => (rest === null ? `${name}:${password}` : `${name}:${password}:${rest}`));
  const otherLine = fc.oneof(
    content(fc.string()).map((text) => `#${text}`),
    fc.constantFrom('', ' ', '\t'),
  );
  const fileText = fc
    .tuple(fc.array(fc.tuple(fc.oneof(userLine, otherLine), fc.constantFrom('\n', '\r\n'))), fc.boolean())
    .map(([lines, lastTerminated]) => {
      const text = lines.map(([line, eol]) => line + eol).join('');
      return lastTerminated || lines.length === 0 ? text : text.replace(/\r?\n$/, '');
    });
  const isFor = (name: string) => (line: string) => line.split(':', 1)[0]?.replace(/\r?\n$/, '') === name;
  const withoutEol = (line: string) => line.replace(/\r?\n$/, '');

  it('withUser changes only the user’s first line, or appends one', () => {
    fc.assert(
      fc.property(fileText, fc.constantFrom(...NAMES), fc.stringMatching(/^\{PLAIN\}[a-z0-9$./]{1,20}$/), (text, name, secret) => {
        const result = withUser(text, name, secret);
        const before = linesOf(text);
        const after = linesOf(result);
        const index = before.findIndex(isFor(name));
        if (index === -1) {
          expect(after).toHaveLength(before.length + 1);
          expect(after.slice(0, -1).map(withoutEol)).toEqual(before.map(withoutEol));
          expect(result.startsWith(text)).toBe(true);
        } else {
          expect(after).toHaveLength(before.length);
          expect(after.filter((_, at) => at !== index)).toEqual(before.filter((_, at) => at !== index));
          expect(after[index]?.startsWith(`${name}:${secret}`)).toBe(true);
        }
        const entry = parsePasswdFile(result).entries.find((candidate) => candidate.name === name);
        expect(entry?.password).toBe(secret);
      }),
    );
  });

  it('withoutUser removes exactly the user’s lines', () => {
    fc.assert(
      fc.property(fileText, fc.constantFrom(...NAMES), (text, name) => {
        const result = withoutUser(text, name);
        expect(linesOf(result)).toEqual(linesOf(text).filter((line) => !isFor(name)(line)));
        expect(parsePasswdFile(result).entries.some((entry) => entry.name === name)).toBe(false);
      }),
    );
  });
});
