// The load driver (run.sh pins it to the second core). Two modes:
//   node scenarios/run.mjs limit OUT.json URL
//       the bare Kestrel endpoint at URL, one fixed-duration run
//   node scenarios/run.mjs servers OUT.json SCENARIO...
//       each scenario against OnePass and the peer, alternating A B A B for BENCH_ROUNDS rounds
//       (env ONEPASS_URL, ONEPASS_PID, PEER_URL, PEER_PID, BENCH_SECONDS, BENCH_ROUNDS, BENCH_CONNECTIONS);
//       a scenario module exporting `peer: false` runs against OnePass only. A pair "A+B" (e.g.
//       cc+login) runs, per server and round, A alone on half the connections, then A on that half and
//       B on the other half at the same time: how much of A is left while B loads the server.
//   node scenarios/run.mjs profile OUT.json SCENARIO
//       one untimed warm-up, then one run of BENCH_SECONDS against OnePass only (env ONEPASS_URL);
//       writes OUT.json.ready between the two, when run.sh attaches the profilers
import { readFileSync, writeFileSync } from 'node:fs';
import { closePools, discover, load } from './lib.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const [mode, out, ...names] = process.argv.slice(2);
const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

// Peak resident set size since the last reset (VmHWM); writing 5 to clear_refs resets it (Linux).
function peakRssMb(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : null;
}
function resetPeak(pid) {
  try { writeFileSync(`/proc/${pid}/clear_refs`, '5'); } catch { /* not permitted: the peak stays since start */ }
}

if (mode === 'limit') {
  const scenario = (await import('./limit.mjs')).default;
  const server = { url: names[0] };
  const res = await load({ connections, durationMs: seconds * 1000, setup: () => scenario.setup(server), iteration: scenario.iteration });
  log(`kestrel ${res.perSec.toFixed(0)} req/s (p50 ${res.p50?.toFixed(2)} ms, p99 ${res.p99?.toFixed(2)} ms, ${res.errors} errors)`);
  writeFileSync(out, JSON.stringify(res, null, 2));
  await closePools();
  process.exit(0);
}

if (mode === 'profile') {
  const scenario = (await import(`./${names[0]}.mjs`)).default;
  const server = { name: 'onepass', url: process.env.ONEPASS_URL };
  server.config = await discover(server.url);
  await load({ connections, durationMs: 2000, setup: () => scenario.setup(server), iteration: scenario.iteration });
  writeFileSync(`${out}.ready`, '');
  // run.sh starts dotnet-trace and dotnet-counters when the .ready file appears; give them a second to attach.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const res = await load({ connections, durationMs: seconds * 1000, setup: () => scenario.setup(server), iteration: scenario.iteration });
  log(`profile ${names[0]}: ${res.perSec.toFixed(1)} ${scenario.unit} while profiled, p50 ${res.p50?.toFixed(1)} ms, p99 ${res.p99?.toFixed(1)} ms${res.errors ? `, ${res.errors} errors (${res.firstError})` : ''}`);
  writeFileSync(out, JSON.stringify(res, null, 2));
  await closePools();
  process.exit(0);
}

const servers = [
  { name: 'onepass', url: process.env.ONEPASS_URL, pid: Number(process.env.ONEPASS_PID) },
  { name: 'peer', url: process.env.PEER_URL, pid: Number(process.env.PEER_PID) },
];
for (const s of servers) {
  s.discoveryUrl = new URL('.well-known/openid-configuration', s.url.endsWith('/') ? s.url : `${s.url}/`).href;
  s.config = await discover(s.url);
}

const results = {};
const warmUpMs = Math.min(2000, seconds * 300);
const runLine = (name, round, server, res, unit) => `${name} round ${round} ${server}: ${res.perSec.toFixed(1)} ${unit}, `
  + `p50 ${res.p50?.toFixed(1)} ms, p99 ${res.p99?.toFixed(1)} ms${res.errors ? `, ${res.errors} errors (${res.firstError})` : ''}`;

// "A+B": A measured alone on half the connections, then A and B together (B on the other half).
async function runPair(name) {
  const [first, second] = name.split('+');
  const a = (await import(`./${first}.mjs`)).default;
  const b = (await import(`./${second}.mjs`)).default;
  const onePassOnly = a.peer === false || b.peer === false;
  const targets = onePassOnly ? servers.filter((s) => s.name === 'onepass') : servers;
  const half = Math.max(1, Math.floor(connections / 2));
  const other = Math.max(1, connections - half);
  const result = { pair: [first, second], unit: a.unit, busyUnit: b.unit, connections: { [first]: half, [second]: other }, onePassOnly, onepass: [], peer: [] };
  const run = (s, scenario, n, durationMs) => load({ connections: n, durationMs, setup: () => scenario.setup(s), iteration: scenario.iteration });
  for (const s of targets) await Promise.all([run(s, a, half, warmUpMs), run(s, b, other, warmUpMs)]);
  for (let round = 1; round <= rounds; round++) {
    for (const s of targets) {
      const alone = await run(s, a, half, seconds * 1000);
      resetPeak(s.pid);
      const [during, busy] = await Promise.all([run(s, a, half, seconds * 1000), run(s, b, other, seconds * 1000)]);
      result[s.name].push({ alone, during, busy, peakRssMb: peakRssMb(s.pid) });
      log(runLine(`${name}: ${first} alone`, round, s.name, alone, a.unit));
      log(runLine(`${name}: ${first} under ${second}`, round, s.name, during, a.unit));
      log(runLine(`${name}: ${second} meanwhile`, round, s.name, busy, b.unit));
    }
  }
  return result;
}

for (const name of names) {
  if (name.includes('+')) {
    results[name] = await runPair(name);
    continue;
  }
  const scenario = (await import(`./${name}.mjs`)).default;
  // peer: false: a scenario the peer has no counterpart for (e.g. passkey); OnePass only.
  const targets = scenario.peer === false ? servers.filter((s) => s.name === 'onepass') : servers;
  results[name] = { unit: scenario.unit, peer: [], onepass: [], onePassOnly: scenario.peer === false };
  // One short untimed warm-up per server (JIT, pools, first key loads).
  for (const s of targets) {
    await load({ connections, durationMs: warmUpMs, setup: () => scenario.setup(s), iteration: scenario.iteration });
  }
  for (let round = 1; round <= rounds; round++) {
    for (const s of targets) {
      resetPeak(s.pid);
      const res = await load({ connections, durationMs: seconds * 1000, setup: () => scenario.setup(s), iteration: scenario.iteration });
      res.peakRssMb = peakRssMb(s.pid);
      results[name][s.name].push(res);
      log(`${runLine(name, round, s.name, res, scenario.unit)}, peak RSS ${res.peakRssMb?.toFixed(0)} MB`);
    }
  }
}
writeFileSync(out, JSON.stringify(results, null, 2));
await closePools();
