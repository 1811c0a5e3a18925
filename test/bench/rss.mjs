// Server memory, read from /proc: VmRSS of one process (pop3d), or summed over a process tree (Dovecot's
// master and every child). For trees, PSS (shared pages divided among their users) is reported too, since
// an RSS sum counts each shared library once per process.
import { readdirSync, readFileSync } from 'node:fs';

const field = (text, name) => {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
};

function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process is gone
  }
}

/** The pid and all its descendants. */
export function processTree(root) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    if (stat === undefined) continue;
    // pid (comm) state ppid ...: comm may contain spaces and parentheses, so parse from the last ")".
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(name));
  }
  const all = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop();
    all.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return all;
}

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on Linux

/**
 * CPU seconds of a process: its own plus those of children it has reaped (cutime, cstime), so that short-lived
 * children (Dovecot's pop3 processes) are counted once their parent has waited for them.
 */
function cpuSecondsOf(pid) {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === undefined) return 0;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ": state=0 ... utime=11 stime=12 cutime=13 cstime=14
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND;
}

/** { rssKB, pssKB, processes, cpuSeconds, rssKBs } now. `pss` reads smaps_rollup, which is slower: only when asked. */
export function memoryOf(pid, { tree = false, pss = tree } = {}) {
  const pids = tree ? processTree(pid) : [pid];
  let pssKB = 0;
  let cpuSeconds = 0;
  const rssKBs = [];
  for (const p of pids) {
    const status = read(`/proc/${p}/status`);
    if (status === undefined) continue;
    rssKBs.push(field(status, 'VmRSS'));
    cpuSeconds += cpuSecondsOf(p);
    if (pss) pssKB += field(read(`/proc/${p}/smaps_rollup`) ?? '', 'Pss');
  }
  const rssKB = rssKBs.reduce((sum, kB) => sum + kB, 0);
  // Each process's RSS, the root (pop3d's primary, Dovecot's master) first.
  return { rssKB, pssKB: pss ? pssKB : undefined, processes: rssKBs.length, cpuSeconds, rssKBs };
}

/** CPU seconds the whole machine has been busy (all cores; /proc/stat, idle and iowait excluded). */
export function machineBusySeconds() {
  const [, ...jiffies] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = jiffies;
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
}

const clientSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/**
 * Samples memory every `intervalMs` until stopped. stop() returns the baseline (first sample), the peak and
 * the last sample (kB), and the CPU used meanwhile, in cores: by the server, by this load generator, and by
 * everything else on the machine (other jobs disturb a benchmark on 2 cores; this shows how much).
 */
export function startSampler(target, intervalMs = 100) {
  if (target === undefined) return { stop: () => undefined, sample: () => undefined };
  const take = () => memoryOf(target.pid, { tree: target.tree, pss: target.tree && target.pss });
  const started = performance.now();
  const machine = machineBusySeconds();
  const client = clientSeconds();
  const baseline = take();
  let peak = baseline;
  let last = baseline;
  const timer = setInterval(() => {
    last = take();
    if (last.rssKB > peak.rssKB) peak = last;
  }, intervalMs);
  return {
    sample: take,
    stop() {
      clearInterval(timer);
      last = take();
      if (last.rssKB > peak.rssKB) peak = last;
      const seconds = (performance.now() - started) / 1000;
      const serverCpu = (last.cpuSeconds - baseline.cpuSeconds) / seconds;
      const clientCpu = (clientSeconds() - client) / seconds;
      const otherCpu = Math.max(0, (machineBusySeconds() - machine) / seconds - serverCpu - clientCpu);
      return { baseline, peak, last, seconds, serverCpu, clientCpu, otherCpu };
    },
  };
}

/**
 * Waits (at most `maxMs`) until the rest of the machine uses less than `cores` CPU, measured over one second,
 * so that a scenario does not start while another job is busy. Resolves with the last measurement.
 */
export async function waitForQuiet({ cores = 0.15, maxMs = 60_000, exclude = [] } = {}) {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const ours = () => clientSeconds() + exclude.reduce((sum, pid) => sum + memoryOf(pid.pid, { tree: pid.tree, pss: false }).cpuSeconds, 0);
    const machine = machineBusySeconds();
    const before = ours();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const other = Math.max(0, machineBusySeconds() - machine - (ours() - before));
    if (other < cores || Date.now() > deadline) return other;
  }
}
