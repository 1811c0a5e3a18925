import { describe, expect, it } from 'vitest';
import { parseLine } from '../../src/pop3/parse.js';

const line = (text: string) => parseLine({ kind: 'line', text });

describe('POP3 parser', () => {
  it('splits arguments on runs of spaces, before, between and after them, and keeps the rest as sent', () => {
    expect(line('LIST  1')).toEqual({ kind: 'command', verb: 'LIST', args: ['1'], rest: ' 1' });
    expect(line('top 1  1 ')).toEqual({ kind: 'command', verb: 'TOP', args: ['1', '1'], rest: '1  1 ' });
    expect(line('PASS  two  spaces ')).toMatchObject({ args: ['two', 'spaces'], rest: ' two  spaces ' });
    expect(line('STAT   ')).toMatchObject({ verb: 'STAT', args: [] });
  });
});
