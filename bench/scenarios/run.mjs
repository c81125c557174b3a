// The load driver (run.sh pins it to the second core). Two modes:
//   node scenarios/run.mjs limit OUT.json URL
//       the bare Kestrel endpoint at URL, one fixed-duration run
//   node scenarios/run.mjs servers OUT.json SCENARIO...
//       each scenario against OnePass and the peer, alternating A B A B for BENCH_ROUNDS rounds
//       (env ONEPASS_URL, ONEPASS_PID, PEER_URL, PEER_PID, BENCH_SECONDS, BENCH_ROUNDS, BENCH_CONNECTIONS)
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
for (const name of names) {
  const scenario = (await import(`./${name}.mjs`)).default;
  results[name] = { unit: scenario.unit, onepass: [], peer: [] };
  // One short untimed warm-up per server (JIT, pools, first key loads).
  for (const s of servers) {
    await load({ connections, durationMs: Math.min(2000, seconds * 300), setup: () => scenario.setup(s), iteration: scenario.iteration });
  }
  for (let round = 1; round <= rounds; round++) {
    for (const s of servers) {
      resetPeak(s.pid);
      const res = await load({ connections, durationMs: seconds * 1000, setup: () => scenario.setup(s), iteration: scenario.iteration });
      res.peakRssMb = peakRssMb(s.pid);
      results[name][s.name].push(res);
      log(`${name} round ${round} ${s.name}: ${res.perSec.toFixed(1)} ${scenario.unit}, p50 ${res.p50?.toFixed(1)} ms, p99 ${res.p99?.toFixed(1)} ms, `
        + `peak RSS ${res.peakRssMb?.toFixed(0)} MB${res.errors ? `, ${res.errors} errors (${res.firstError})` : ''}`);
    }
  }
}
writeFileSync(out, JSON.stringify(results, null, 2));
await closePools();
