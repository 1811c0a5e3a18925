// What a server may spend per session and still serve twice Dovecot's sessions/s on this machine, with the
// load generator beside it: the cores, less what the load generator spends at that rate, over that rate.
// The bench prints it beside each server's own CPU per session, so a run shows whether a throughput target
// is within the machine's reach at all (the bare server's figure is the floor of what the work costs in Node).

const SERVERS = ['pop3d', 'dovecot', 'bare'];

/** The load generator's CPU per session (ms) in one scenario's result, where it was measured. */
const clientMsOf = (r) => (r?.clientCpu > 0 && r.sessionsPerSecond > 0 ? (1000 * r.clientCpu) / r.sessionsPerSecond : undefined);

/**
 * `results`: one run's results (`machine.nproc`, and per server `{ '<kind>-<clients>': { sessionsPerSecond,
 * serverCpu, clientCpu, seconds, sessions } }`). Returns, for each scenario key Dovecot and pop3d both ran,
 * the target rate, the load generator's CPU per session (ms: the least it spent against any server in the run,
 * so the budget is the most generous one) and the server's budget per session (ms) at that rate.
 */
export function serverBudgets(results, { factor = 2 } = {}) {
  const cores = results.machine?.nproc;
  const budgets = {};
  for (const [key, dovecot] of Object.entries(results.dovecot ?? {})) {
    const clientMs = Math.min(...SERVERS.map((name) => clientMsOf(results[name]?.[key])).filter((ms) => ms !== undefined));
    if (!cores || !Number.isFinite(clientMs) || !dovecot?.sessionsPerSecond) continue;
    const rate = factor * dovecot.sessionsPerSecond;
    const budgetMs = (1000 * cores - rate * clientMs) / rate;
    budgets[key] = { rate, clientMs, budgetMs };
  }
  return budgets;
}

/** One line per scenario: the budget beside what each measured server spent. */
export function formatBudgets(budgets, results, cpuPerSessionMs, fmt) {
  const lines = [];
  for (const [key, { rate, clientMs, budgetMs }] of Object.entries(budgets)) {
    const spent = SERVERS
      .map((name) => [name, cpuPerSessionMs(results[name]?.[key])])
      .filter(([, ms]) => ms !== undefined)
      .map(([name, ms]) => `${name} ${fmt(ms, 2)}`)
      .join(', ');
    lines.push(
      `  ${key}: 2x Dovecot is ${fmt(rate, 0)}/s; the load generator's ${fmt(clientMs, 2)} ms a session leaves ` +
        `the server ${fmt(budgetMs, 2)} ms a session on ${results.machine.nproc} cores (spent: ${spent} ms)`,
    );
  }
  return lines.length === 0 ? '' : ['server CPU budget per session at 2x Dovecot (all cores busy, nothing else running):', ...lines].join('\n');
}
