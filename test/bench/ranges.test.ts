import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs bench script, without types
import { spread, summarize } from './ranges.mjs';

type Row = { scenario: string; figure: string; server: string; spread: [number, number, number]; runs: number };

const run = (pop3d: number, dovecot: number | undefined, cpu = 1) => ({
  pop3d: { 'sessions-64': { scenario: 'sessions', sessions: 1000, seconds: 10, sessionsPerSecond: pop3d, serverCpu: cpu } },
  ...(dovecot === undefined ? {} : { dovecot: { 'sessions-64': { scenario: 'sessions', sessions: 500, seconds: 10, sessionsPerSecond: dovecot, serverCpu: cpu } } }),
});

describe('bench ranges over runs', () => {
  it('gives the lowest, median and highest, ignoring what is not a number', () => {
    expect(spread([3, 1, 2])).toEqual([1, 2, 3]);
    expect(spread([4, 1, 3, 2])).toEqual([1, 2.5, 4]);
    expect(spread([undefined, Number.NaN])).toBeUndefined();
  });

  it('takes each ratio within one run, never across runs', () => {
    const rows = summarize([run(300, 100), run(200, 200), run(250, undefined)]) as Row[];
    const find = (figure: string, server: string) => rows.find((row) => row.figure === figure && row.server === server);
    expect(find('sessions/s', 'pop3d')).toMatchObject({ spread: [200, 250, 300], runs: 3 });
    // 300/100 and 200/200: the run without Dovecot has no ratio. Across runs it would have been 200/200 .. 300/100.
    expect(find('sessions/s', 'pop3d/dovecot')).toMatchObject({ spread: [1, 2, 3], runs: 2 });
    // CPU seconds (cores x seconds) over the sessions: 1 x 10 s / 1000 = 10 ms, / 500 = 20 ms.
    expect(find('server CPU per session ms', 'pop3d')?.spread).toEqual([10, 10, 10]);
    expect(find('server CPU per session ms', 'pop3d/dovecot')?.spread).toEqual([0.5, 0.5, 0.5]);
    expect(find('sessions/s', 'pop3d/bare')).toBeUndefined();
  });

  it('sums up the idle scenario once settled, per session from the memory before the logins', () => {
    const idle = (before: number, settled: number) => ({
      pop3d: { idle: { scenario: 'idle', sessions: 1024, rssBeforeMB: before, rssMB: settled + 40, rssSettledMB: settled, pssSettledMB: settled - 90 } },
    });
    const rows = summarize([idle(100, 110), idle(100, 112), idle(90, 111)]) as Row[];
    const find = (figure: string) => rows.find((row) => row.figure === figure && row.server === 'pop3d');
    expect(find('RSS MB settled')?.spread).toEqual([110, 111, 112]);
    expect(find('RSS MB at 5 s')?.spread).toEqual([150, 151, 152]);
    // (110 - 100) MB over 1024 sessions is 10 KB each; (112 - 100) is 12; (111 - 90) is 21.
    expect(find('RSS KB per session, settled')?.spread).toEqual([10, 12, 21]);
    expect(rows.some((row) => row.figure === 'RSS MB settled' && row.server !== 'pop3d')).toBe(false);
  });

  it("gives the load generator's CPU per session, and the server's budget at twice Dovecot from each run", () => {
    const withClient = (clientCpu: number, budgetMs: number) => ({
      pop3d: { 'sessions-64': { scenario: 'sessions', sessions: 1000, seconds: 10, sessionsPerSecond: 100, serverCpu: 1, clientCpu } },
      budgets: { 'sessions-64': { rate: 200, clientMs: clientCpu * 10, budgetMs } },
    });
    const rows = summarize([withClient(0.5, 1.5), withClient(0.6, 1.2)]) as Row[];
    // 0.5 cores x 10 s over 1000 sessions = 5 ms.
    expect(rows.find((row) => row.figure === 'load generator CPU per session ms')?.spread).toEqual([5, 5.5, 6]);
    expect(rows.find((row) => row.figure === 'server CPU budget at 2x dovecot ms')).toMatchObject({ server: 'machine', spread: [1.2, 1.35, 1.5], runs: 2 });
  });
});
