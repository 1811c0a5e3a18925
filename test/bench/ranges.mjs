// Ranges over several runs of run.mjs: each figure's lowest, median and highest, and the ratios taken within
// each run (pop3d against Dovecot and against the bare server), so that a README figure is a range of runs
// and a ratio never mixes two runs. Reads the results-*.json files run.mjs writes beside the fixture.
//
//   node test/bench/ranges.mjs FIXTURE/results-*.json
import { readFileSync } from 'node:fs';

/** What is summed up per scenario key (`sessions-64`, `pipelined-64`, `large`...), where a run has it. */
const FIGURES = {
  'sessions/s': (r) => r.sessionsPerSecond,
  'server CPU per session ms': (r) => (r.sessions > 0 ? (r.serverCpu * r.seconds * 1000) / r.sessions : undefined),
  // The same client work whichever server answers: what the load generator leaves the server (budget.mjs).
  'load generator CPU per session ms': (r) => (r.sessions > 0 && r.clientCpu !== undefined ? (r.clientCpu * r.seconds * 1000) / r.sessions : undefined),
  'MB/s (best)': (r) => (r.scenario === 'large' ? r.MBps : undefined),
  'MB/s (median)': (r) => (r.scenario === 'large' ? r.medianMBps : undefined),
  'RSS growth MB': (r) => r.rssGrowthMB,
  // The idle scenario: the sum over the server's processes, 5 s after the last login and once settled.
  'RSS MB at 5 s': (r) => (r.scenario === 'idle' ? r.rssMB : undefined),
  'PSS MB at 5 s': (r) => (r.scenario === 'idle' ? r.pssMB : undefined),
  'RSS MB settled': (r) => (r.scenario === 'idle' ? r.rssSettledMB : undefined),
  'PSS MB settled': (r) => (r.scenario === 'idle' ? r.pssSettledMB : undefined),
  'RSS KB per session, settled': (r) =>
    r.scenario === 'idle' && r.rssSettledMB !== undefined ? ((r.rssSettledMB - r.rssBeforeMB) * 1024) / r.sessions : undefined,
};
/** Figures whose ratio means nothing (a growth of a few hundred kB against another; pop3d's idle runs have no other server). */
const NO_RATIO = new Set(['load generator CPU per session ms', 'RSS growth MB', 'RSS MB at 5 s', 'PSS MB at 5 s', 'RSS MB settled', 'PSS MB settled', 'RSS KB per session, settled']);
const SERVERS = ['pop3d', 'dovecot', 'bare'];

const isNumber = (value) => typeof value === 'number' && Number.isFinite(value);

/** [lowest, median, highest] of the numbers, or undefined when there are none. */
export function spread(values) {
  const sorted = values.filter(isNumber).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return [sorted[0], median, sorted.at(-1)];
}

/**
 * Rows of { scenario, figure, server, spread, runs } for each server's figures, then { ..., server:
 * 'pop3d/dovecot' } and 'pop3d/bare' for the ratios within each run that has both.
 */
export function summarize(runs) {
  const rows = [];
  const scenarios = [...new Set(runs.flatMap((run) => SERVERS.flatMap((server) => Object.keys(run[server] ?? {}))))];
  for (const scenario of scenarios) {
    for (const [figure, read] of Object.entries(FIGURES)) {
      const value = (run, server) => {
        const result = run[server]?.[scenario];
        return result === undefined ? undefined : read(result);
      };
      for (const server of SERVERS) {
        const values = runs.map((run) => value(run, server)).filter(isNumber);
        if (values.length > 0) rows.push({ scenario, figure, server, spread: spread(values), runs: values.length });
      }
      for (const other of NO_RATIO.has(figure) ? [] : ['dovecot', 'bare']) {
        const ratios = runs
          .map((run) => [value(run, 'pop3d'), value(run, other)])
          .filter(([ours, theirs]) => isNumber(ours) && isNumber(theirs) && theirs !== 0)
          .map(([ours, theirs]) => ours / theirs);
        if (ratios.length > 0) rows.push({ scenario, figure, server: `pop3d/${other}`, spread: spread(ratios), runs: ratios.length });
      }
    }
    // Within each run: what the server may spend per session at twice Dovecot's rate (budget.mjs).
    const budgets = runs.map((run) => run.budgets?.[scenario]?.budgetMs).filter(isNumber);
    if (budgets.length > 0) rows.push({ scenario, figure: 'server CPU budget at 2x dovecot ms', server: 'machine', spread: spread(budgets), runs: budgets.length });
  }
  return rows;
}

export function formatRows(rows) {
  const digits = (n) => (Math.abs(n) >= 100 ? 0 : 2);
  const show = ([low, median, high]) => `${low.toFixed(digits(low))}-${high.toFixed(digits(high))} (median ${median.toFixed(digits(median))})`;
  return rows.map((row) => `${`${row.scenario}: ${row.figure}`.padEnd(44)} ${row.server.padEnd(14)} ${show(row.spread)}  [${row.runs} runs]`).join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error('usage: node test/bench/ranges.mjs FIXTURE/results-*.json');
    process.exit(64);
  }
  console.log(formatRows(summarize(files.map((file) => JSON.parse(readFileSync(file, 'utf8'))))));
}
