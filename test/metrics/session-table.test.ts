import { describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../src/events/server-events.js';
import { SessionTable } from '../../src/metrics/session-table.js';
import { opened } from '../support/events.js';

const table = (...events: ServerEvent[]): SessionTable => {
  const sessions = new SessionTable();
  for (const event of events) sessions.apply(event);
  return sessions;
};
const auth = (connection: string, user: string, ok = true): ServerEvent => ({ type: 'auth', protocol: 'pop3', connection, user, ok, at: 5 });
const command = (connection: string, verb: string): ServerEvent => ({ type: 'command', protocol: 'pop3', connection, verb, ok: true, at: 6 });
const sent = (connection: string, octets: number): ServerEvent => ({ type: 'bytes', protocol: 'pop3', connection, received: 6, sent: octets, at: 7 });

describe('live sessions folded from events', () => {
  it('follows a POP3 session from accept through login and QUIT to close', () => {
    const sessions = table(opened(1, 'pop3', 'a'), auth('a', 'alice', false), command('a', 'PASS'));
    expect(sessions.list()).toEqual([{ connection: 'a', protocol: 'pop3', remote: '127.0.0.1:1', state: 'authorization', since: 1, bytesOut: 0, command: 'PASS' }]);
    for (const event of [auth('a', 'alice'), command('a', 'RETR'), sent('a', 100), sent('a', 20), command('a', 'QUIT')]) sessions.apply(event);
    expect(sessions.list()).toEqual([
      { connection: 'a', protocol: 'pop3', remote: '127.0.0.1:1', state: 'update', since: 1, bytesOut: 120, command: 'QUIT', user: 'alice' },
    ]);
    sessions.apply({ type: 'connection-closed', protocol: 'pop3', connection: 'a', at: 9 });
    expect(sessions.list()).toEqual([]);
  });

  it('drops a kicked session at once, though its socket may linger until the peer closes', () => {
    const sessions = table(opened(1, 'pop3', 'a'), auth('a', 'alice'), opened(2, 'pop3', 'b'), auth('b', 'alice'));
    sessions.apply({ type: 'kicked', connection: 'a', user: 'alice', at: 8 });
    expect(sessions.matching('alice').map((s) => s.connection)).toEqual(['b']);
    sessions.apply({ type: 'connection-closed', protocol: 'pop3', connection: 'a', at: 9 });
    expect(sessions.list().map((s) => s.connection)).toEqual(['b']);
  });

  it('lists by user and matches a KICK target by connection or user; Push3 connections are not listed', () => {
    const sessions = table(opened(1, 'pop3', 'a'), opened(2, 'pop3', 'b'), opened(3, 'push3', 'p'), auth('a', 'alice'), auth('b', 'bob'));
    expect(sessions.list().map((s) => s.connection)).toEqual(['a', 'b']);
    expect(sessions.list('bob').map((s) => s.connection)).toEqual(['b']);
    expect(sessions.matching('a').map((s) => s.user)).toEqual(['alice']);
    expect(sessions.matching('bob').map((s) => s.connection)).toEqual(['b']);
    expect(sessions.matching('carol')).toEqual([]);
  });
});
