import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs bench script, without types
import { formatBudgets, serverBudgets } from './budget.mjs';

const run = {
  machine: { nproc: 2 },
  // The load generator spent 0.6 cores serving 600 sessions/s: 1 ms a session.
  pop3d: { 'sessions-64': { sessionsPerSecond: 600, clientCpu: 0.6, serverCpu: 1.2, seconds: 10, sessions: 6000 } },
  dovecot: { 'sessions-64': { sessionsPerSecond: 400, clientCpu: 0.5, serverCpu: 1.2, seconds: 10, sessions: 4000 } },
  bare: { 'sessions-64': { sessionsPerSecond: 500, clientCpu: 0.5, serverCpu: 1, seconds: 10, sessions: 5000 } },
};

describe('server CPU budget at twice Dovecot', () => {
  it('is the cores left by the load generator at that rate, per session', () => {
    // 800/s: the client takes 800 ms of each second, 1200 ms are left over 800 sessions = 1.5 ms.
    expect(serverBudgets(run)).toEqual({ 'sessions-64': { rate: 800, clientMs: 1, budgetMs: 1.5 } });
  });

  it("takes the least the load generator spent against any server in the run", () => {
    // Against the bare server: 0.4 cores at 500/s, 0.8 ms a session; 800/s then leave 1360 ms over 800 sessions.
    const cheaper = { ...run, bare: { 'sessions-64': { ...run.bare['sessions-64'], clientCpu: 0.4 } } };
    expect(serverBudgets(cheaper)['sessions-64']).toMatchObject({ clientMs: 0.8, budgetMs: 1.7 });
  });

  it('is left out where Dovecot or the client CPU was not measured', () => {
    expect(serverBudgets({ ...run, dovecot: undefined })).toEqual({});
    const noClient = (r: object) => ({ 'sessions-64': { ...r, clientCpu: undefined } });
    expect(serverBudgets({ ...run, pop3d: noClient(run.pop3d['sessions-64']), dovecot: noClient(run.dovecot['sessions-64']), bare: noClient(run.bare['sessions-64']) })).toEqual({});
  });

  it('prints the budget beside what each server spent', () => {
    const cpuMs = (r?: { serverCpu: number; seconds: number; sessions: number }) =>
      r === undefined ? undefined : (1000 * r.serverCpu * r.seconds) / r.sessions;
    const text = formatBudgets(serverBudgets(run), run, cpuMs, (n: number, d: number) => n.toFixed(d));
    expect(text).toContain('sessions-64: 2x Dovecot is 800/s');
    expect(text).toContain('leaves the server 1.50 ms a session on 2 cores (spent: pop3d 2.00, dovecot 3.00, bare 2.00 ms)');
  });
});
