// Shared pieces of the load driver: HTTP over keep-alive pools, a cookie jar, PKCE, a form-filling
// sign-in that works against both OnePass and the peer, and the fixed-duration load loop.
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';

export const seed = JSON.parse(readFileSync(new URL('../seed.json', import.meta.url), 'utf8'));
export const machine = seed.clients.find((c) => c.clientId === 'bench-machine');
export const web = seed.clients.find((c) => c.clientId === 'bench-web');
export const user = seed.users[0];

const pools = new Map();
function pool(origin) {
  if (!pools.has(origin)) pools.set(origin, new Pool(origin, { connections: 32, pipelining: 1, keepAliveTimeout: 60_000 }));
  return pools.get(origin);
}
export async function closePools() {
  await Promise.all([...pools.values()].map((p) => p.close()));
  pools.clear();
}

export class Jar {
  constructor() { this.cookies = new Map(); }
  header() { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }
  take(setCookie) {
    for (const line of [setCookie ?? []].flat()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]) < Date.now())
        || attrs.some((a) => /^\s*max-age=0/i.test(a));
      if (expired || value === '') this.cookies.delete(name); else this.cookies.set(name, value);
    }
  }
}

/** One HTTP request; the body is always read. Returns { status, headers, text }. */
export async function http(method, url, { headers = {}, body, jar } = {}) {
  const u = new URL(url);
  const h = { ...headers };
  if (jar && jar.cookies.size) h.cookie = jar.header();
  if (body !== undefined && !h['content-type']) h['content-type'] = 'application/x-www-form-urlencoded';
  const res = await pool(u.origin).request({ method, path: u.pathname + u.search, headers: h, body });
  const text = await res.body.text();
  if (jar) jar.take(res.headers['set-cookie']);
  return { status: res.statusCode, headers: res.headers, text };
}

export const basic = (id, secret) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
const b64url = (buf) => buf.toString('base64url');

export function pkce() {
  const verifier = b64url(crypto.randomBytes(32));
  return { verifier, challenge: b64url(crypto.createHash('sha256').update(verifier).digest()) };
}

export async function discover(base) {
  const res = await http('GET', new URL('.well-known/openid-configuration', base.endsWith('/') ? base : `${base}/`).href);
  if (res.status !== 200) throw new Error(`discovery answered ${res.status}`);
  return JSON.parse(res.text);
}

export const decode = (s) => s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e) => {
  if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[e.toLowerCase()];
});
export const attr = (tag, name) => { const m = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag); return m ? decode(m[1]) : undefined; };

/** An error body in a few words: an HTML page's title, or the start of the text. */
export const brief = (text) => decode(/<title>([^<]*)<\/title>/i.exec(text)?.[1] ?? text.slice(0, 200)).trim();

/** Fills the password form found in html (posted back to its action or to pageUrl) for `who` (a seed user); undefined when there is none. */
export function passwordForm(html, pageUrl, who = user) {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/gi;
  for (let m; (m = form.exec(html));) {
    if (!/name="password"/.test(m[1])) continue;
    const fields = new URLSearchParams();
    for (const input of m[1].match(/<input\b[^>]*>/gi) ?? []) {
      const name = attr(input, 'name');
      if (name && /type="hidden"/i.test(input)) fields.set(name, attr(input, 'value') ?? '');
    }
    fields.set('username', who.username);
    fields.set('password', who.password);
    const action = attr(m[0].slice(0, m[0].indexOf('>') + 1), 'action');
    return { url: new URL(action || pageUrl, pageUrl).href, body: fields.toString() };
  }
  return undefined;
}

/**
 * Authorization code flow from the authorization endpoint to the code at the redirect URI, following
 * redirects with the jar and filling the password form when one is shown. Returns { code, requests }.
 * With onPage, the first page shown is handed to onPage({ url, html, jar }) instead, which signs in its
 * own way (e.g. a passkey) and returns the URL to continue at; a code without that page is an error.
 */
export async function authorize(server, jar, { scope = 'openid profile email', signIn = false, extra = {}, onPage } = {}) {
  const { verifier, challenge } = pkce();
  const state = b64url(crypto.randomBytes(12));
  const q = new URLSearchParams({
    client_id: web.clientId, response_type: 'code', scope, redirect_uri: web.redirectUris[0], state,
    nonce: b64url(crypto.randomBytes(12)), code_challenge: challenge, code_challenge_method: 'S256', ...extra,
  });
  let url = `${server.config.authorization_endpoint}?${q}`;
  let method = 'GET';
  let body;
  let postedPassword = false;
  let pageHandled = false;
  for (let hop = 0; hop < 12; hop++) {
    const res = await http(method, url, { jar, body });
    method = 'GET';
    body = undefined;
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.location, url);
      if (next.href.startsWith(web.redirectUris[0])) {
        const code = next.searchParams.get('code');
        if (!code) throw new Error(`no code at the callback: ${next.search}`);
        if (next.searchParams.get('state') !== state) throw new Error('state mismatch');
        if (signIn && !postedPassword) throw new Error('signed in without the password form');
        if (onPage && !pageHandled) throw new Error('signed in without the sign-in page');
        return { code, verifier };
      }
      url = next.href;
      continue;
    }
    if (res.status === 200 && onPage && !pageHandled) {
      url = new URL(await onPage({ url, html: res.text, jar }), url).href;
      pageHandled = true;
      continue;
    }
    if (res.status === 200) {
      const form = passwordForm(res.text, url);
      if (!form || postedPassword) throw new Error(`unexpected page at ${new URL(url).pathname} (${res.text.length} bytes)`);
      if (!signIn) throw new Error('the password form was shown where a live session was expected');
      ({ url, body } = form);
      method = 'POST';
      postedPassword = true;
      continue;
    }
    throw new Error(`${method} ${new URL(url).pathname} answered ${res.status}: ${brief(res.text)}`);
  }
  throw new Error('too many redirects');
}

export async function token(server, client, params) {
  const res = await http('POST', server.config.token_endpoint, {
    headers: { authorization: basic(client.clientId, client.clientSecret), accept: 'application/json' },
    body: new URLSearchParams(params).toString(),
  });
  if (res.status !== 200) throw new Error(`token endpoint (${params.grant_type}) answered ${res.status}: ${brief(res.text)}`);
  return JSON.parse(res.text);
}

export async function exchange(server, { code, verifier }) {
  return token(server, web, { grant_type: 'authorization_code', code, redirect_uri: web.redirectUris[0], code_verifier: verifier });
}

/**
 * Runs `connections` workers for `durationMs`; each makes its own state with setup(i) (not timed)
 * and repeats iteration(state) (one timed operation). Returns counts and latency percentiles.
 */
export async function load({ connections, durationMs, setup, iteration }) {
  // Untimed setup, one connection at a time (a burst of 16 sign-ins is the login scenario's job),
  // retried a few times: an overloaded server may answer 503 with Retry-After.
  const setupWithRetry = async (i) => {
    for (let attempt = 1; ; attempt++) {
      try { return await setup(i); } catch (err) {
        if (attempt >= 5) throw err;
        await new Promise((r) => { setTimeout(r, 500 * attempt); });
      }
    }
  };
  const states = [];
  for (let i = 0; i < connections; i++) states.push(await setupWithRetry(i));
  const latencies = [];
  let errors = 0;
  let firstError;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(states.map(async (state, i) => {
    let s = state;
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        await iteration(s);
        latencies.push(performance.now() - t0);
      } catch (err) {
        errors++;
        firstError ??= String(err.message ?? err).slice(0, 300);
        // A failed operation may have spent the state (e.g. a refresh chain): make a new one.
        try { s = await setup(i); } catch { /* counted on the next failure */ }
      }
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : null);
  return {
    ops: latencies.length, errors, firstError, seconds: elapsed,
    perSec: latencies.length / elapsed, p50: pct(0.5), p99: pct(0.99),
  };
}
