// Turns one run's raw figures into bench/results/<stamp>.json, .md (table) and .svg (ratio chart).
//   node report.mjs WORK_DIR OUT_PREFIX COMMIT
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';

const [work, prefix, commit] = process.argv.slice(2);
const read = (name) => (existsSync(`${work}/${name}`) ? JSON.parse(readFileSync(`${work}/${name}`, 'utf8')) : {});
const crypto = read('crypto.json');
const kestrel = read('kestrel.json');
const rs = read('rs256.json');
const es = read('es256.json');
const sq = read('sqlite.json');

const limits = {
  rs256SignPerSec: crypto.rs256SignPerSec,
  es256SignPerSec: crypto.es256SignPerSec,
  pbkdf2PerSec: crypto.pbkdf2PerSec,
  kestrelReqPerSec: kestrel.perSec,
};

const median = (xs) => {
  const v = xs.filter((x) => x != null).sort((a, b) => a - b);
  if (!v.length) return null;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const summary = (rounds = []) => ({
  perSec: median(rounds.map((r) => r.perSec)),
  p50Ms: median(rounds.map((r) => r.p50)),
  p99Ms: median(rounds.map((r) => r.p99)),
  peakRssMb: rounds.length ? Math.max(...rounds.map((r) => r.peakRssMb ?? 0)) : null,
  errors: rounds.reduce((n, r) => n + r.errors, 0),
  firstError: rounds.find((r) => r.firstError)?.firstError?.replace(/\s+/g, ' '),
  rounds: rounds.map((r) => ({ perSec: r.perSec, p50Ms: r.p50, p99Ms: r.p99, peakRssMb: r.peakRssMb, ops: r.ops, errors: r.errors })),
});

// Each row: which raw limit bounds it, how many of that unit one operation needs, and the targets
// of issue 7 (ratio to the peer, ratio to the limit, p99, ratio to login for passkey).
const rowsOf = (phase, alg = 'RS256') => [
  { key: 'cc', label: `cc (${alg})`, data: phase.cc, limit: 'rs256SignPerSec', perOp: 1, peerTarget: 1.3, limitTarget: 0.9, absoluteTarget: 1200 },
  { key: 'refresh', label: 'refresh', data: phase.refresh, limit: 'rs256SignPerSec', perOp: 1, peerTarget: 1.5 },
  { key: 'sso', label: 'sso', data: phase.sso, limit: 'rs256SignPerSec', perOp: 1, peerTarget: 1.5, p99Target: 50 },
  { key: 'login', label: 'login', data: phase.login, limit: 'pbkdf2PerSec', perOp: 1, peerTarget: 0.95, limitTarget: 0.9 },
  // OnePass only (the peer has no passkeys); compared with the same phase's login.
  { key: 'passkey', label: 'passkey', data: phase.passkey, loginTarget: 20, login: phase.login },
  { key: 'disco', label: 'disco', data: phase.disco, limit: 'kestrelReqPerSec', perOp: 2, peerTarget: 2 },
];
const rows = rowsOf(rs);
rows.splice(1, 0, { key: 'cc', label: 'cc (ES256)', data: es.cc, limit: 'es256SignPerSec', perOp: 1, peerTarget: 2, absoluteTarget: 1200 });

const RSS_TARGET_MB = 300;
const summarize = (rowList) => rowList.filter((r) => r.data).map((r) => {
  const onepass = summary(r.data.onepass);
  const peer = summary(r.data.peer);
  const ratioPeer = onepass.perSec != null && peer.perSec ? onepass.perSec / peer.perSec : null;
  const limit = r.limit ? limits[r.limit] : null;
  const ratioLimit = onepass.perSec != null && limit ? (onepass.perSec * r.perOp) / limit : null;
  const loginPerSec = r.login ? summary(r.login.onepass).perSec : null;
  const ratioLogin = onepass.perSec != null && loginPerSec ? onepass.perSec / loginPerSec : null;
  const checks = [];
  if (r.peerTarget) checks.push({ what: `≥ ${r.peerTarget}× peer`, met: ratioPeer != null && ratioPeer >= r.peerTarget });
  if (r.limitTarget) checks.push({ what: `≥ ${r.limitTarget * 100}% of limit`, met: ratioLimit != null && ratioLimit >= r.limitTarget });
  // Keycloak's sizing guide: 120 client_credentials/s per vCPU; the issue asks for far above 10×.
  if (r.absoluteTarget) checks.push({ what: `≥ 10× Keycloak's 120/s`, met: onepass.perSec != null && onepass.perSec >= r.absoluteTarget });
  if (r.p99Target) checks.push({ what: `p99 < ${r.p99Target} ms`, met: onepass.p99Ms != null && onepass.p99Ms < r.p99Target });
  if (r.loginTarget) {
    checks.push({
      what: `≥ ${r.loginTarget}× login (${ratioLogin == null ? 'no login figure' : `${ratioLogin.toFixed(1)}×`})`,
      met: ratioLogin != null && ratioLogin >= r.loginTarget,
    });
  }
  checks.push({ what: `RSS < ${RSS_TARGET_MB} MB`, met: onepass.peakRssMb != null && onepass.peakRssMb < RSS_TARGET_MB });
  if (onepass.errors) checks.push({ what: 'no errors', met: false });
  return {
    scenario: r.label, unit: r.data.unit, onePassOnly: Boolean(r.data.onePassOnly), onepass, peer, ratioPeer,
    limitName: r.limit ?? null, limit, requestsPerOp: r.perOp ?? null, ratioLimit, ratioLogin, peerTarget: r.peerTarget ?? null, checks,
  };
});
const scenarios = summarize(rows);
const sqlite = summarize(rowsOf(sq));

// Pairs "A+B" (cc+login): A alone on half the connections, then A with B on the other half at once.
const pairs = (phase) => Object.entries(phase).filter(([name, d]) => name.includes('+') && d.pair).map(([name, d]) => {
  const side = (rounds = []) => {
    if (!rounds.length) return null;
    const alone = summary(rounds.map((r) => r.alone));
    const during = summary(rounds.map((r) => r.during));
    const busy = summary(rounds.map((r) => r.busy));
    return {
      alone, during, busy,
      ratio: during.perSec != null && alone.perSec ? during.perSec / alone.perSec : null,
      peakRssMb: Math.max(...rounds.map((r) => r.peakRssMb ?? 0)),
    };
  };
  return { name, measured: d.pair[0], busy: d.pair[1], unit: d.unit, busyUnit: d.busyUnit, connections: d.connections, onepass: side(d.onepass), peer: side(d.peer) };
});
const concurrent = pairs(rs);
const sqliteConcurrent = pairs(sq);

const cpu = os.cpus()[0]?.model ?? 'unknown';
const result = {
  timestamp: new Date().toISOString(),
  commit,
  machine: { cpu, cores: os.cpus().length, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  settings: {
    secondsPerRound: Number(process.env.BENCH_SECONDS), rounds: Number(process.env.BENCH_ROUNDS),
    connections: Number(process.env.BENCH_CONNECTIONS), serverCpu: process.env.BENCH_SERVER_CPU ?? '0', loadCpu: process.env.BENCH_LOAD_CPU ?? '1',
  },
  limits,
  scenarios,
  concurrent,
  sqlite: { scenarios: sqlite, concurrent: sqliteConcurrent },
};
writeFileSync(`${prefix}.json`, `${JSON.stringify(result, null, 2)}\n`);

// --- Markdown table ---
const f = (x, d = 0) => (x == null ? '–' : x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));
const lines = [
  `# OnePass benchmark ${result.timestamp}`,
  '',
  `Commit ${commit}; ${cpu}, ${result.machine.cores} cores; servers pinned to core ${result.settings.serverCpu}, load generator to core ${result.settings.loadCpu}; `
    + `${result.settings.rounds} rounds of ${result.settings.secondsPerRound} s per server, alternating OnePass and peer, ${result.settings.connections} connections. `
    + 'Figures are medians over rounds; peak RSS is the largest VmHWM of a round.',
  '',
  `Limits on one core: RS256 sign ${f(limits.rs256SignPerSec)}/s, ES256 sign ${f(limits.es256SignPerSec)}/s, `
    + `PBKDF2-SHA512 100k ${f(limits.pbkdf2PerSec, 1)}/s, bare Kestrel ${f(limits.kestrelReqPerSec)} req/s.`,
  '',
];
const tableHead = [
  '| scenario | unit | OnePass /s | peer /s | OnePass/peer | OnePass/limit | OnePass p50 / p99 ms | peer p50 / p99 ms | peak RSS OnePass / peer MB | targets |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
];
const limitCell = (s) => (s.limitName
  ? `${f(s.ratioLimit, 2)} (${s.limitName.replace(/PerSec$/, '')}${s.requestsPerOp > 1 ? `, ${s.requestsPerOp} req/op` : ''})`
  : '–');
const table = (list) => [
  ...tableHead,
  ...list.map((s) => `| ${s.scenario}${s.onePassOnly ? ' (OnePass only)' : ''} | ${s.unit} | ${f(s.onepass.perSec, 1)} | ${f(s.peer.perSec, 1)} | `
    + `${s.ratioPeer == null ? '–' : `${f(s.ratioPeer, 2)}×`} | ${limitCell(s)} | `
    + `${f(s.onepass.p50Ms, 1)} / ${f(s.onepass.p99Ms, 1)} | ${f(s.peer.p50Ms, 1)} / ${f(s.peer.p99Ms, 1)} | `
    + `${f(s.onepass.peakRssMb)} / ${f(s.peer.peakRssMb)} | ${s.checks.map((c) => `${c.met ? 'met' : '**missed**'}: ${c.what}`).join('; ')} |`),
  '',
];
const errorLines = (list, where = '') => {
  const out = [];
  for (const s of list) {
    if (s.onepass.errors) out.push(`- ${s.scenario}${where}, OnePass: ${s.onepass.errors} (first: ${s.onepass.firstError})`);
    if (s.peer.errors) out.push(`- ${s.scenario}${where}, peer: ${s.peer.errors} (first: ${s.peer.firstError})`);
  }
  return out;
};
const pairErrors = (list, where = '') => list.flatMap((p) => [['OnePass', p.onepass], ['peer', p.peer]].flatMap(([who, side]) => (side
  ? [['alone', side.alone, p.measured], ['with the burst', side.during, p.measured], ['burst', side.busy, p.busy]]
    .filter(([, x]) => x.errors).map(([when, x, what]) => `- ${p.name}${where}, ${who}, ${what} (${when}): ${x.errors} (first: ${x.firstError})`)
  : [])));
// cc+login: does a burst of password sign-ins starve the token endpoint?
const pairTable = (list) => (list.length ? [
  ...list.map((p) => `\`${p.name}\`: ${p.measured} alone on ${p.connections[p.measured]} connections, then ${p.measured} on those and ${p.busy} `
    + `on ${p.connections[p.busy]} more at the same time (same server, same round); the ratio is ${p.measured} under ${p.busy} / ${p.measured} alone.`),
  '',
  '| pair | server | measured alone /s | measured under the burst /s | under the burst / alone | burst meanwhile /s | measured p50 / p99 ms alone | measured p50 / p99 ms under the burst | peak RSS MB |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...list.flatMap((p) => [['OnePass', p.onepass], ['peer', p.peer]].map(([who, side]) => (side
    ? `| ${p.name} (${p.measured} on ${p.connections[p.measured]} conn., ${p.busy} on ${p.connections[p.busy]}) | ${who} | ${f(side.alone.perSec, 1)} ${p.unit} | `
      + `${f(side.during.perSec, 1)} ${p.unit} | ${side.ratio == null ? '–' : `${f(side.ratio, 2)}×`} | ${f(side.busy.perSec, 1)} ${p.busyUnit} | `
      + `${f(side.alone.p50Ms, 1)} / ${f(side.alone.p99Ms, 1)} | ${f(side.during.p50Ms, 1)} / ${f(side.during.p99Ms, 1)} | ${f(side.peakRssMb)} |`
    : `| ${p.name} | ${who} | – | – | – | – | – | – | – |`))),
  '',
] : []);

lines.push(...table(scenarios));
lines.push(...pairTable(concurrent));
if (!scenarios.some((s) => s.scenario === 'passkey')) lines.push('`passkey`: not run in this run.', '');
const errors = [...errorLines(scenarios), ...pairErrors(concurrent)];
if (sqlite.length || sqliteConcurrent.length) {
  lines.push('## SQLite variant', '',
    'OnePass on a SQLite file (`OnePass__DatabaseProvider=Sqlite`, Redis as before, RS256) against the same peer, in a phase of its own; '
      + 'OnePass/limit uses the same limits as above.', '',
    ...table(sqlite), ...pairTable(sqliteConcurrent));
  errors.push(...errorLines(sqlite, ' (SQLite)'), ...pairErrors(sqliteConcurrent, ' (SQLite)'));
}
if (errors.length) lines.push('Errors:', '', ...errors, '');
writeFileSync(`${prefix}.md`, lines.join('\n'));

// --- SVG: two bars per scenario (OnePass/peer, OnePass/limit), a line at 1×, ticks for targets ---
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const left = 130;
const width = 560;
const rowH = 46;
const top = 40;
const charted = scenarios.filter((s) => s.ratioPeer != null || s.ratioLimit != null);
const maxRatio = Math.max(2.5, ...charted.flatMap((s) => [s.ratioPeer ?? 0, s.ratioLimit ?? 0, s.peerTarget ?? 0])) * 1.1;
const x = (v) => left + (Math.min(v, maxRatio) / maxRatio) * width;
const height = top + charted.length * rowH + 40;
const svg = [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 90}" height="${height}" font-family="sans-serif" font-size="12">`,
  `<title>OnePass ratios, ${esc(result.timestamp)}</title>`,
  `<text x="${left}" y="18" font-size="14" font-weight="bold">OnePass / peer (blue) and OnePass / one-core limit (grey)</text>`,
  `<line x1="${x(1)}" y1="${top - 8}" x2="${x(1)}" y2="${height - 30}" stroke="#000" stroke-dasharray="4 3"/>`,
  `<text x="${x(1)}" y="${height - 16}" text-anchor="middle">1×</text>`,
  `<line x1="${left}" y1="${height - 30}" x2="${left + width}" y2="${height - 30}" stroke="#888"/>`,
];
charted.forEach((s, i) => {
  const y = top + i * rowH;
  const target = s.peerTarget;
  svg.push(`<text x="${left - 8}" y="${y + 20}" text-anchor="end">${esc(s.scenario)}</text>`);
  if (s.ratioPeer != null) {
    svg.push(`<rect x="${left}" y="${y + 4}" width="${x(s.ratioPeer) - left}" height="16" fill="#2b6cb0"/>`,
      `<text x="${x(s.ratioPeer) + 4}" y="${y + 16}">${s.ratioPeer.toFixed(2)}×</text>`);
  }
  if (s.ratioLimit != null) {
    svg.push(`<rect x="${left}" y="${y + 22}" width="${x(s.ratioLimit) - left}" height="12" fill="#a0aec0"/>`,
      `<text x="${x(s.ratioLimit) + 4}" y="${y + 32}" fill="#4a5568">${s.ratioLimit.toFixed(2)} of ${esc(s.limitName.replace(/PerSec$/, ''))}</text>`);
  }
  if (target) svg.push(`<line x1="${x(target)}" y1="${y + 1}" x2="${x(target)}" y2="${y + 23}" stroke="#c53030" stroke-width="2"><title>target ${target}×</title></line>`);
});
svg.push(`<text x="${left}" y="${height - 2}" fill="#c53030">red tick: target ratio to the peer (issue 7)</text>`, '</svg>');
writeFileSync(`${prefix}.svg`, `${svg.join('\n')}\n`);
