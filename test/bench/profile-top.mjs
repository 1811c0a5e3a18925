// The functions with the most self time in a V8 .cpuprofile (node --cpu-prof), as a table.
//
//   node test/bench/profile-top.mjs FILE.cpuprofile [--top 30]     (also prints self time by package/folder)
import { readFileSync } from 'node:fs';

/** [{ name, location, selfMs, share }] sorted by self time, plus the profile's total. */
export function topFunctions(file, top = 30) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const intervals = new Map();
  const { samples, timeDeltas } = profile;
  // timeDeltas[i] is the time before sample i; attribute it to the sample's node.
  for (let i = 0; i < samples.length; i++) intervals.set(samples[i], (intervals.get(samples[i]) ?? 0) + (timeDeltas[i] ?? 0));
  const totals = new Map();
  let total = 0;
  for (const [id, micros] of intervals) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const name = functionName || '(anonymous)';
    const where = url ? `${url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|dist)\//, '$1/')}:${lineNumber + 1}` : '';
    const key = `${name}\t${where}`;
    totals.set(key, (totals.get(key) ?? 0) + micros);
    total += micros;
  }
  const rows = [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, micros]) => {
      const [name, location] = key.split('\t');
      return { name, location, selfMs: micros / 1000, share: micros / total };
    });
  return { totalMs: total / 1000, rows };
}

/** Self time summed by where the code lives: a package, a dist/ folder, a node: module group, or native. */
export function byArea(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const areas = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const { url, functionName } = byId.get(id).callFrame;
    const micros = profile.timeDeltas[i] ?? 0;
    let area;
    if (!url) area = functionName.startsWith('(') ? functionName : 'native (syscalls, C++)';
    else if (url.includes('/node_modules/')) area = `node_modules/${url.split('/node_modules/')[1].split('/')[0]}`;
    else if (url.includes('/dist/')) area = `dist/${url.split('/dist/')[1].split('/').slice(0, -1).join('/') || '.'}`;
    else if (url.startsWith('node:internal/')) area = `node:internal/${url.slice('node:internal/'.length).split('/')[0].replace(/\.js$/, '')}`;
    else area = url.startsWith('node:') ? url : 'other';
    areas.set(area, (areas.get(area) ?? 0) + micros);
    total += micros;
  });
  return [...areas].sort((a, b) => b[1] - a[1]).map(([area, micros]) => ({ area, selfMs: micros / 1000, share: micros / total }));
}

export function formatAreas(rows) {
  return [' self %   self ms  area', ...rows.map((r) => `${(r.share * 100).toFixed(1).padStart(6)} ${r.selfMs.toFixed(0).padStart(9)}  ${r.area}`)].join('\n');
}

export function formatTop({ totalMs, rows }) {
  const lines = [`total sampled: ${(totalMs / 1000).toFixed(1)} s`, ' self %   self ms  function  (location)'];
  for (const row of rows) {
    lines.push(`${(row.share * 100).toFixed(1).padStart(6)} ${row.selfMs.toFixed(0).padStart(9)}  ${row.name}  ${row.location}`);
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { parseArgs } = await import('node:util');
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '30' } } });
  for (const file of positionals) {
    console.log(`${file}\n${formatTop(topFunctions(file, Number(values.top)))}\n\nby area:\n${formatAreas(byArea(file))}\n`);
  }
}
