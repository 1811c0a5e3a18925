import { BehaviorSubject, concat, defer, from, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../../src/events/server-events.js';
import { emptyMetrics, type Metrics } from '../../../src/metrics/reducer.js';
import { push3Harness, type Push3Harness } from '../../support/push3-harness.js';

const LOGIN = 'LOGIN root toor';

/** Runs the lines as one pipelined write; returns the replies after the greeting, and the harness. */
function transcript(lines: string[], options: { admins?: string[]; metrics$?: BehaviorSubject<Metrics> } = {}) {
  const ts = new TestScheduler((a, b) => expect(a).toEqual(b));
  const h: Push3Harness = push3Harness(ts, options.metrics$ ?? new BehaviorSubject(emptyMetrics(0)), options.admins);
  const out: string[] = [];
  h.session(from(lines)).subscribe((chunk) => out.push(chunk));
  ts.flush();
  return { replies: out.slice(1), h };
}

const eventsOf = (events: ServerEvent[], type: ServerEvent['type']) => events.filter((e) => e.type === type);

describe('Push3 commands', () => {
  it('AUTHENTICATION: only LOGIN, HELP, FINISH and QUIT', () => {
    const { replies } = transcript(['METRICS', 'WATCH', 'USERS', 'HELP', 'login root', 'LOGIN root toor extra']);
    expect(replies).toEqual([
      '->FAIL: METRICS is not valid in this state\r\n',
      '->FAIL: WATCH is not valid in this state\r\n',
      '->FAIL: USERS is not valid in this state\r\n',
      '->SUCCESS: LOGIN <user> <pass>; FINISH; QUIT; HELP\r\n',
      '->FAIL: LOGIN takes 2 arguments\r\n',
      '->FAIL: LOGIN takes 2 arguments\r\n',
    ]);
  });

  it('LOGIN: a non-admin with the right password reads exactly like a wrong password', () => {
    const { replies, h } = transcript(['LOGIN alice secret', 'LOGIN root wrong', 'LOGIN nobody x', LOGIN, 'LOGIN root toor']);
    expect(replies.slice(0, 3)).toEqual(Array(3).fill('->FAIL: Authentication failed\r\n'));
    expect(replies[3]).toBe('->SUCCESS: Logged in as root\r\n');
    expect(replies[4]).toBe('->FAIL: LOGIN is not valid in this state\r\n');
    expect(eventsOf(h.events, 'auth').map((e) => 'ok' in e && e.ok)).toEqual([false, false, false, true]);
  });

  it('answers garbage, unknown and over-long commands with ->FAIL and carries on', () => {
    const { replies } = transcript(['', 'FOO', 'L0GIN a b', '<long>', 'A'.repeat(21), 'HELP']);
    expect(replies).toEqual([
      '->FAIL: Empty command\r\n',
      '->FAIL: Unknown command\r\n',
      '->FAIL: Command must be alphabetic and at most 20 characters\r\n',
      '->FAIL: Line too long (at most 512 octets)\r\n',
      '->FAIL: Command must be alphabetic and at most 20 characters\r\n',
      '->SUCCESS: LOGIN <user> <pass>; FINISH; QUIT; HELP\r\n',
    ]);
  });

  it('TRANSACTION: METRICS is one line of key=value pairs; HELP lists this state\'s commands', () => {
    const { replies } = transcript([LOGIN, 'metrics', 'METRICS now', 'HELP']);
    expect(replies[1]).toMatch(/^->SUCCESS: uptime_seconds=0 pop3_connections_current=0 ( ?[a-z0-9_]+=[0-9.]+)+\r\n$/);
    expect(replies[2]).toBe('->FAIL: METRICS takes 0 arguments\r\n');
    expect(replies[3]).toBe(
      '->SUCCESS: METRICS; FINISH; QUIT; HELP; WATCH [seconds [events|user=<name>]]; UNWATCH; USERS; ADDUSER <user> <pass>; ' +
        'DELUSER <user>; PASSWD <user> <pass>; GET [key]; SET <key> <value>; SESSIONS [user]; KICK <connection|user>\r\n',
    );
  });

  it('FINISH and QUIT end the session in either state; nothing after them is read', () => {
    expect(transcript(['FINISH', 'HELP']).replies).toEqual(['->SUCCESS: Bye\r\n']);
    expect(transcript([LOGIN, 'quit', 'HELP']).replies).toEqual(['->SUCCESS: Logged in as root\r\n', '->SUCCESS: Bye\r\n']);
    expect(transcript(['FINISH now']).replies).toEqual(['->FAIL: FINISH takes 0 arguments\r\n']);
  });

  it('WATCH validates its interval; UNWATCH needs a watch', () => {
    const { replies } = transcript([LOGIN, 'WATCH 0', 'WATCH 3601', 'WATCH 1.5', 'WATCH x', 'UNWATCH', 'WATCH 3600', 'UNWATCH']);
    expect(replies.slice(1)).toEqual([
      ...Array(4).fill('->FAIL: WATCH interval must be a whole number of seconds from 1 to 3600\r\n'),
      '->FAIL: Not watching\r\n',
      '->SUCCESS: Watching every 3600 s\r\n',
      '->SUCCESS: Stopped watching\r\n',
    ]);
  });

  it('USERS, ADDUSER, PASSWD, DELUSER change the users that LOGIN accepts, and are audited without passwords', () => {
    const { replies, h } = transcript(
      [LOGIN, 'USERS', 'ADDUSER bob pw1', 'ADDUSER bob pw2', 'PASSWD bob pw3', 'PASSWD carol x', 'USERS', 'DELUSER alice', 'DELUSER alice', 'USERS'],
      { admins: ['root', 'bob'] },
    );
    expect(replies.slice(1)).toEqual([
      '->SUCCESS: root alice\r\n',
      '->SUCCESS: User bob added\r\n',
      '->FAIL: user bob already exists\r\n',
      '->SUCCESS: Password of bob changed\r\n',
      '->FAIL: no user carol\r\n',
      '->SUCCESS: root alice bob\r\n',
      '->SUCCESS: User alice removed\r\n',
      '->FAIL: no user alice\r\n',
      '->SUCCESS: root bob\r\n',
    ]);
    expect(h.userAdmin.passwords).toEqual({ root: 'toor', bob: 'pw3' });
    expect(eventsOf(h.events, 'admin-change').map((e) => e.type === 'admin-change' && [e.user, e.change, e.target])).toEqual([
      ['root', 'user-added', 'bob'],
      ['root', 'password-changed', 'bob'],
      ['root', 'user-removed', 'alice'],
    ]);
    expect(JSON.stringify(h.events)).not.toMatch(/pw[123]/);
    // A later session sees the changes: bob (an admin here) logs in with his new password.
    const later: string[] = [];
    h.session(from(['LOGIN bob pw1', 'LOGIN bob pw3'])).subscribe((chunk) => later.push(chunk));
    expect(later.slice(1)).toEqual(['->FAIL: Authentication failed\r\n', '->SUCCESS: Logged in as bob\r\n']);
  });

  it('GET and SET the live settings, validated', () => {
    const { replies, h } = transcript([
      LOGIN,
      'GET',
      'GET idle_timeout',
      'SET idle_timeout 30',
      'SET max_connections 10',
      'SET log_level DEBUG',
      'SET log_level loud',
      'SET max_connections -1',
      'SET idle_timeout 0',
      'SET colour blue',
      'GET colour',
      'GET',
    ]);
    expect(replies.slice(1)).toEqual([
      '->SUCCESS: max_connections=1000 idle_timeout=600 log_level=info\r\n',
      '->SUCCESS: idle_timeout=600\r\n',
      '->SUCCESS: idle_timeout=30\r\n',
      '->SUCCESS: max_connections=10\r\n',
      '->SUCCESS: log_level=debug\r\n',
      '->FAIL: log_level must be one of fatal, error, warn, info, debug, trace, silent\r\n',
      '->FAIL: max_connections must be an integer from 0 to 1000000\r\n',
      '->FAIL: idle_timeout must be a number of seconds above 0 and at most 2147483\r\n',
      '->FAIL: unknown setting colour; known: max_connections, idle_timeout, log_level\r\n',
      '->FAIL: Unknown setting; known: max_connections, idle_timeout, log_level\r\n',
      '->SUCCESS: max_connections=10 idle_timeout=30 log_level=debug\r\n',
    ]);
    expect(h.settings.current).toEqual({ maxConnections: 10, idleTimeoutSeconds: 30, logLevel: 'debug' });
    expect(eventsOf(h.events, 'admin-change')).toHaveLength(3);
  });

  it('a step that fails unexpectedly costs one ->FAIL line and an error event, not the session', () => {
    const ts = new TestScheduler((a, b) => expect(a).toEqual(b));
    const broken = throwError(() => new Error('metrics are gone'));
    const h = push3Harness(ts, broken);
    h.userAdmin.list = () => {
      throw new Error('disk on fire');
    };
    const out: string[] = [];
    h.session(from([LOGIN, 'METRICS', 'USERS', 'HELP'])).subscribe((chunk) => out.push(chunk));
    ts.flush();
    expect(out.slice(2)).toEqual(['->FAIL: METRICS failed\r\n', '->FAIL: USERS failed\r\n', expect.stringMatching(/^->SUCCESS: METRICS;/)]);
    expect(eventsOf(h.events, 'error').map((e) => e.type === 'error' && e.message)).toEqual(['metrics are gone', 'disk on fire']);
  });

  it('reports every line as a push3 command event', () => {
    const { h } = transcript(['HELP', 'FOO', LOGIN, 'METRICS']);
    const commands = eventsOf(h.events, 'command').map((e) => e.type === 'command' && [e.protocol, e.verb, e.ok, e.user]);
    expect(commands).toEqual([
      ['push3', 'HELP', true, undefined],
      ['push3', 'UNKNOWN', false, undefined],
      ['push3', 'LOGIN', true, undefined],
      ['push3', 'METRICS', true, 'root'],
    ]);
  });

  describe('authority is checked on every command, not only at LOGIN', () => {
    const WITHDRAWN = '->FAIL: Admin rights withdrawn; closing the connection\r\n';

    it('an admin whose password changed loses the session at the next command', () => {
      const { replies, h } = transcript([LOGIN, 'PASSWD root new', 'ADDUSER mallory pw', 'USERS']);
      expect(replies).toEqual(['->SUCCESS: Logged in as root\r\n', '->SUCCESS: Password of root changed\r\n', WITHDRAWN]);
      expect(h.userAdmin.passwords).not.toHaveProperty('mallory');
      expect(eventsOf(h.events, 'admin-revoked')).toMatchObject([{ user: 'root', connection: 'c1' }]);
    });

    it('a removed admin loses the session: no SET, no re-creating themselves', () => {
      const { replies, h } = transcript([LOGIN, 'DELUSER root', 'ADDUSER root again', 'SET max_connections 1']);
      expect(replies).toEqual(['->SUCCESS: Logged in as root\r\n', '->SUCCESS: User root removed\r\n', WITHDRAWN]);
      expect(h.userAdmin.passwords).toEqual({ alice: 'secret' });
      expect(h.settings.current.maxConnections).toBe(1000);
    });

    it('an admin taken off push3.admins loses the session, even for HELP or FINISH', () => {
      const ts = new TestScheduler((a, b) => expect(a).toEqual(b));
      const admins = ['root'];
      const h = push3Harness(ts, new BehaviorSubject(emptyMetrics(0)), admins);
      const lines$ = concat(
        from([LOGIN, 'USERS']),
        defer(() => {
          admins.length = 0; // what a reload that drops root from push3.admins does
          return from(['FINISH', 'USERS']);
        }),
      );
      const out: string[] = [];
      let ended = false;
      h.session(lines$).subscribe({ next: (chunk) => out.push(chunk), complete: () => (ended = true) });
      ts.flush();
      expect(out.slice(1)).toEqual(['->SUCCESS: Logged in as root\r\n', '->SUCCESS: root alice\r\n', WITHDRAWN]);
      expect(ended).toBe(true);
      expect(eventsOf(h.events, 'admin-revoked')).toHaveLength(1);
    });
  });
});
