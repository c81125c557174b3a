// Reads a dotnet-trace thread-time profile converted to speedscope JSON and prints where the *busy*
// samples went: samples whose leaf is a wait (an idle thread-pool worker, a blocked socket read) are
// left out, so what remains approximates CPU time. Prints the busy share, time by component (a sample
// counts for a component when any frame of its stack belongs to it), and the top methods.
//   node bench/profile-report.mjs PROFILE.speedscope.json
import { readFileSync } from 'node:fs';

const idle = /LowLevelLifoSemaphore|LowLevelSpinWaiter|WaitHandle\.Wait|Monitor\.Wait|WaitNative|Interop\+Sys\.(Read|WaitForSocketEvents|Poll)|SocketAsyncEngine\.EventLoop|Thread\.Sleep|WaitOneCore|Interop\+Sys\.(Select|EPoll)|PollGC|EventPipe|Watcher!/;
const pseudo = /^(CPU_TIME|UNMANAGED_CODE_TIME|Threads|\(Non-Activities\)|Thread \(\d+\)|Process64 .*)$/;
// Leaves that mean a thread is parked even when they are not named as waits.
const idleLeaf = /WaitOneNoCheck|ManualResetEventSlim\.Wait|Task\.InternalWait|TimerQueue\.TimerThread|GateThreadStart|CounterGroup\.PollForValues|FileSystemWatcher|Heartbeat\.TimerLoop|SemaphoreSlim\.Wait\(/;
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
  ['reflection, JIT and type loading', /!(System\.Reflection|System\.RuntimeType|System\.RuntimeTypeHandle)\.|JIT|TypeLoad/],
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
// One stack with the time it was on a thread: from "sampled" profiles (weights) or, as dotnet-trace
// writes them, "evented" ones (open/close events; the time between two events goes to the open stack).
function* stacks(profile) {
  if (profile.type === 'sampled') {
    for (let i = 0; i < profile.samples.length; i++) yield [profile.samples[i], profile.weights?.[i] ?? 1];
    return;
  }
  const open = [];
  let last = profile.startValue;
  for (const event of profile.events) {
    if (open.length > 0 && event.at > last) yield [open.slice(), event.at - last];
    last = event.at;
    if (event.type === 'O') open.push(event.frame);
    else open.splice(open.lastIndexOf(event.frame), 1);
  }
}

for (const profile of speedscope.profiles) {
  for (const [stack, weight] of stacks(profile)) {
    total += weight;
    // dotnet-trace ends each stack with a pseudo-frame, CPU_TIME (managed code running) or
    // UNMANAGED_CODE_TIME (native code: a wait, a syscall, OpenSSL); the method is the frame below it.
    const real = stack.map((f) => names[f]).filter((n) => !pseudo.test(n));
    if (real.length === 0) continue;
    const leaf = real[real.length - 1];
    // "?!?" is native code without symbols; its caller says whether the thread waits (epoll) or works.
    const caller = leaf === '?!?' ? (real.findLast((n) => n !== '?!?') ?? leaf) : leaf;
    if (idle.test(caller) || idleLeaf.test(caller)) continue;
    busy += weight;
    exclusive.set(leaf, (exclusive.get(leaf) ?? 0) + weight);
    const frames = new Set(real);
    for (const name of frames) inclusive.set(name, (inclusive.get(name) ?? 0) + weight);
    for (const [name, pattern] of components) {
      for (const frame of frames) {
        // Match the method's own name (module!Type.Method), not its parameter types.
        if (pattern.test(frame.replace(/\(.*$/, ''))) { byComponent.set(name, byComponent.get(name) + weight); break; }
      }
    }
  }
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
