// Reads a dotnet-trace thread-time profile converted to speedscope JSON and prints where the *busy*
// samples went: samples whose leaf is a wait (an idle thread-pool worker, a blocked socket read) are
// left out, so what remains approximates CPU time. Prints the busy share, time by component (a sample
// counts for a component when any frame of its stack belongs to it), and the top methods.
//   node bench/profile-report.mjs PROFILE.speedscope.json
import { readFileSync } from 'node:fs';

const idle = /LowLevelLifoSemaphore|LowLevelSpinWaiter|WaitHandle\.Wait|Monitor\.Wait|WaitNative|Interop\+Sys\.(Read|WaitForSocketEvents|Poll)|SocketAsyncEngine\.EventLoop|Thread\.Sleep|WaitOneCore|Interop\+Sys\.(Select|EPoll)|PollGC|EventPipe|Watcher!/;
const components = [
  ['database (Npgsql, EF Core)', /Npgsql|EntityFrameworkCore/],
  ['signing and encryption', /Cryptography|RSA|ECDsa|Rsa|Aes|JsonWebTokenHandler\.(Create|Encrypt)|SignatureProvider/],
  ['Redis', /StackExchange\.Redis/],
  ['JSON', /System\.Text\.Json/],
  ['logging and telemetry', /Microsoft\.Extensions\.Logging|OpenTelemetry|Diagnostics\.Activity|DiagnosticListener/],
  ['dependency injection', /DependencyInjection/],
  ['OpenIddict (all of it, inclusive)', /OpenIddict/],
  ['Razor pages and MVC', /Mvc|Razor/],
  ['Kestrel and HTTP parsing', /Kestrel|Http1|HttpProtocol/],
  ['JIT and type loading', /JIT|Jit|TypeLoad|RuntimeType|Reflection/],
  ['GC', /GC|gc_heap|Allocat/],
];

const file = process.argv[2];
const speedscope = JSON.parse(readFileSync(file, 'utf8'));
const names = speedscope.shared.frames.map((f) => f.name);
let busy = 0;
let total = 0;
const inclusive = new Map();
const exclusive = new Map();
const byComponent = new Map(components.map(([name]) => [name, 0]));
for (const profile of speedscope.profiles) {
  if (profile.type !== 'sampled') continue;
  profile.samples.forEach((stack, i) => {
    const weight = profile.weights?.[i] ?? 1;
    total += weight;
    if (stack.length === 0) return;
    const leaf = names[stack[stack.length - 1]];
    if (idle.test(leaf)) return;
    busy += weight;
    exclusive.set(leaf, (exclusive.get(leaf) ?? 0) + weight);
    const frames = new Set(stack.map((f) => names[f]));
    for (const name of frames) inclusive.set(name, (inclusive.get(name) ?? 0) + weight);
    for (const [name, pattern] of components) {
      for (const frame of frames) {
        if (pattern.test(frame)) { byComponent.set(name, byComponent.get(name) + weight); break; }
      }
    }
  });
}

const pct = (w) => `${((100 * w) / busy).toFixed(1)}%`.padStart(6);
const short = (name) => (name.length > 130 ? `${name.slice(0, 127)}...` : name);
console.log(`busy samples: ${((100 * busy) / total).toFixed(1)}% of all thread samples (the rest are waits)`);
console.log('\n## busy time by component (share of busy samples with such a frame on the stack)');
for (const [name, w] of [...byComponent].sort((a, b) => b[1] - a[1])) console.log(`${pct(w)}  ${name}`);
console.log('\n## top 40 methods, inclusive (share of busy samples)');
for (const [name, w] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${pct(w)}  ${short(name)}`);
console.log('\n## top 25 methods, exclusive');
for (const [name, w] of [...exclusive].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${pct(w)}  ${short(name)}`);
