// The peer for bench/run.sh: node oidc-provider (OpenID Certified) configured like OnePass's bench
// seed: the same clients, user and password cost, JWT access tokens, refresh-token rotation, PKCE,
// pairwise subjects, one signing algorithm (RS256 or ES256), in-memory store.
//   node peer/server.mjs   (env: PEER_PORT, PEER_ALG=RS256|ES256, BENCH_SEED=path of the seed JSON)
import http from 'node:http';
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import Provider from 'oidc-provider';

const port = Number(process.env.PEER_PORT ?? 4100);
const alg = process.env.PEER_ALG ?? 'RS256';
const seed = JSON.parse(readFileSync(process.env.BENCH_SEED, 'utf8'));
const issuer = `http://127.0.0.1:${port}`;
const pbkdf2 = promisify(crypto.pbkdf2);
const API = 'urn:onepass-bench:api';
const pairwiseSalt = crypto.randomBytes(32);

// Passwords are stored as ASP.NET Core Identity does by default: PBKDF2-HMAC-SHA512, 100,000
// iterations, 16-byte salt, 32-byte subkey. Hashing runs on libuv's pool, pinned to the same core.
const users = new Map();
for (const user of seed.users) {
  const salt = crypto.randomBytes(16);
  const hash = crypto.pbkdf2Sync(user.password, salt, 100_000, 32, 'sha512');
  users.set(user.username, { ...user, id: crypto.createHash('sha256').update(user.username).digest('hex').slice(0, 24), salt, hash });
}
const byId = new Map([...users.values()].map((u) => [u.id, u]));

function signingKey() {
  const pair = alg === 'ES256'
    ? crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...pair.privateKey.export({ format: 'jwk' }), alg, use: 'sig', kid: `peer-${alg.toLowerCase()}` };
}

const clients = seed.clients.map((c) => ({
  client_id: c.clientId,
  client_secret: c.clientSecret,
  grant_types: c.grantTypes,
  response_types: c.grantTypes.includes('authorization_code') ? ['code'] : [],
  redirect_uris: c.redirectUris ?? [],
  token_endpoint_auth_method: 'client_secret_basic',
  id_token_signed_response_alg: alg,
  subject_type: c.subjectType ?? 'pairwise',
  scope: [...(c.scopes ?? []), 'api'].join(' '),
}));

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [signingKey()] },
  cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
  scopes: ['openid', 'profile', 'email', 'offline_access', 'api'],
  claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email', 'email_verified'] },
  subjectTypes: ['public', 'pairwise'],
  // Pairwise sub per sector (OpenID Connect Core §8.1), a keyed hash as OnePass computes it.
  pairwiseIdentifier: async (ctx, accountId, client) => crypto.createHmac('sha256', pairwiseSalt)
    .update(`${client.sectorIdentifier}|${accountId}`).digest('base64url'),
  pkce: { required: () => true },
  // Rotation on; refresh tokens are issued when offline_access is granted (default issueRefreshToken).
  rotateRefreshToken: true,
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    // JWT access tokens (as OnePass), signed with the same algorithm as the ID tokens.
    resourceIndicators: {
      enabled: true,
      defaultResource: () => API,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({ scope: 'api', audience: API, accessTokenFormat: 'jwt', jwt: { sign: { alg } } }),
    },
  },
  enabledJWA: { idTokenSigningAlgValues: [alg] },
  findAccount: async (ctx, id) => {
    const user = byId.get(id);
    if (!user) return undefined;
    return {
      accountId: id,
      claims: async () => ({ sub: id, name: user.name, preferred_username: user.username, email: user.email, email_verified: !!user.emailConfirmed }),
    };
  },
  // First-party agencies (OnePass consent "implicit"): the grant is made on first use, never asked.
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    if (!ctx.oidc.session.accountId) return undefined;
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid profile email offline_access');
    grant.addResourceScope(API, 'api');
    await grant.save();
    ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId, grant.jti);
    return grant;
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { AccessToken: 600, IdToken: 600, AuthorizationCode: 60, RefreshToken: 14 * 24 * 3600, Session: 14 * 24 * 3600, Grant: 14 * 24 * 3600, Interaction: 600, ClientCredentials: 600 },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// The sign-in page: one form with username and password (the shape of OnePass's page, CONTRACT §4).
async function interaction(req, res, uid, isPost) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  if (details.prompt.name === 'consent') {
    // oidc-provider keeps offline_access only with prompt=consent; the agency is first-party, so the
    // consent is given without a page (the refresh scenario's untimed setup is the only user).
    const grant = details.grantId ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ clientId: details.params.client_id, accountId: details.session.accountId });
    grant.addOIDCScope(details.params.scope);
    grant.addResourceScope(API, 'api');
    await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
    return;
  }
  if (isPost) {
    const form = await readForm(req);
    const user = users.get(form.get('username') ?? '');
    // A missing user costs a hash too, as OnePass's dummy hash does.
    const salt = user?.salt ?? crypto.randomBytes(16);
    const hash = await pbkdf2(form.get('password') ?? '', salt, 100_000, 32, 'sha512');
    if (user && crypto.timingSafeEqual(hash, user.hash)) {
      await provider.interactionFinished(req, res, { login: { accountId: user.id, amr: ['pwd'], acr: 'urn:onepass:loa:1' } }, { mergeWithLastSubmission: false });
      return;
    }
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html lang="en"><title>Sign in</title><form method="post" action="/interaction/${escape(uid)}/login">`
    + '<input name="username" autocomplete="username"><input name="password" type="password"><button>Sign in</button></form></html>');
}

const callback = provider.callback();
http.createServer((req, res) => {
  const match = /^\/interaction\/([^/?]+)(\/login)?/.exec(req.url);
  if (!match) return callback(req, res);
  interaction(req, res, match[1], req.method === 'POST' && !!match[2]).catch((err) => {
    console.error(err);
    if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
    res.end('interaction failed');
  });
}).listen(port, '127.0.0.1', () => console.log(`peer listening on ${issuer} (${alg})`));
