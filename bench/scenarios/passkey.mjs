// passkey: a full usernameless passkey sign-in from a fresh browser (no cookies): authorize -> sign-in
// page -> passkey-signin options -> assertion -> back to authorize -> code -> token exchange (PKCE).
// What the `passkey-signin` button does through wwwroot/js/passkeys.js (CONTRACT §4); no password hash,
// so it is bounded by one ES256 verification, the ceremony state and the sign-in itself.
//
// Setup (untimed, per connection): a password sign-in from a fresh jar, then a passkey registered through
// the Security page's ceremony (`passkey-register`), on a software authenticator of that connection's own
// (webauthn.mjs). A citizen with a passkey is asked for a second factor after the password (CONTRACT §4), so
// from the second connection on, the password step is followed by a passkey second factor from a device an
// earlier connection enrolled. The devices live in this process: against a database holding passkeys this
// process did not enrol, setup fails (start OnePass on a fresh database). Every setup enrols one more
// passkey for bench-citizen (16 connections x (warm-up + rounds)); they are never removed.
//
// The citizen is the seed's `bench-passkey` user when there is one, else bench-citizen; with bench-citizen,
// run passkey after login, sso and refresh (their password sign-ins would then meet the second factor).
//
// OnePass only (`peer: false`): the peer has no passkeys. The relying party is OnePass's default, the host
// and origin of OnePass__Issuer (http://127.0.0.1:PORT/ in run.sh).
import { Jar, attr, authorize, brief, exchange, http, passwordForm, seed, user } from './lib.mjs';
import { Authenticator } from './webauthn.mjs';

const VERIFY_PATH = '/account/login/verify';
const SECURITY_PATH = '/account/security';

/** Every authenticator this process enrolled, by page origin: the second factor of later password sign-ins. */
const devices = new Map();
let enrolled = 0;
const citizen = seed.users.find((u) => u.username === 'bench-passkey') ?? user;

/** The data-* attributes of the element passkeys.js wires for `kind`, checking the page's button id. */
function ceremonyElement(html, kind, buttonId, pageUrl) {
  const tag = new RegExp(`<[a-z]+\\b[^>]*\\sdata-passkey-ceremony="${kind}"[^>]*>`, 'i').exec(html)?.[0];
  if (!tag || !html.includes(`id="${buttonId}"`)) throw new Error(`no ${buttonId} button at ${new URL(pageUrl).pathname}`);
  return {
    optionsUrl: new URL(attr(tag, 'data-options-url'), pageUrl).href,
    url: new URL(attr(tag, 'data-url'), pageUrl).href,
    returnUrl: attr(tag, 'data-return-url') ?? '',
  };
}

/** One JSON ceremony call as passkeys.js makes it: same-origin fetch with the X-OnePass-Passkey header. */
async function post(url, body, jar, origin) {
  const res = await http('POST', url, {
    jar,
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-onepass-passkey': '1', origin },
    body: JSON.stringify(body),
  });
  let data;
  try { data = JSON.parse(res.text); } catch { data = undefined; }
  if (res.status < 200 || res.status >= 300) {
    throw new Error(`POST ${new URL(url).pathname} answered ${res.status}: ${data ? `${data.error}: ${data.error_description}` : brief(res.text)}`);
  }
  return data;
}

/** The sign-in page with a password: the form, then (when the citizen has a passkey) the passkey second factor. */
async function passwordSignIn({ url, html, jar }, origin) {
  const form = passwordForm(html, url, citizen);
  if (!form) throw new Error(`no password form at ${new URL(url).pathname}`);
  const res = await http('POST', form.url, { jar, body: form.body });
  if (res.status !== 302 && res.status !== 303) throw new Error(`password post answered ${res.status}: ${brief(res.text)}`);
  const next = new URL(res.headers.location, form.url);
  if (next.pathname !== VERIFY_PATH) return next.href;

  const page = await http('GET', next.href, { jar });
  if (page.status !== 200) throw new Error(`GET ${VERIFY_PATH} answered ${page.status}`);
  const step = ceremonyElement(page.text, 'secondfactor', 'passkey-second-factor', next.href);
  const options = await post(step.optionsUrl, {}, jar, origin);
  const device = (devices.get(origin) ?? []).find((d) => d.holdsAny(options.allowCredentials));
  if (!device) throw new Error(`${VERIFY_PATH}: the citizen has passkeys this process did not enrol (use a fresh database)`);
  return (await post(step.url, device.get(options, origin), jar, origin)).redirect;
}

export default {
  name: 'passkey',
  unit: 'sign-ins/s',
  peer: false,
  setup: async (server) => {
    const origin = new URL(server.config.authorization_endpoint).origin;
    const jar = new Jar();
    await exchange(server, await authorize(server, jar, { onPage: (page) => passwordSignIn(page, origin) }));

    // The Security page's registration (passkeys.js register()): options, create(), answer.
    const pageUrl = new URL(SECURITY_PATH, origin).href;
    const page = await http('GET', pageUrl, { jar });
    if (page.status !== 200) throw new Error(`GET ${SECURITY_PATH} answered ${page.status}`);
    const register = ceremonyElement(page.text, 'register', 'passkey-register', pageUrl);
    const device = new Authenticator();
    const options = await post(register.optionsUrl, { name: `bench ${++enrolled}` }, jar, origin);
    const credential = device.create(options, origin);
    await post(register.url, credential, jar, origin);
    if (!devices.has(origin)) devices.set(origin, []);
    devices.get(origin).push(device);
    return { server, origin, device, credentialId: credential.id };
  },
  iteration: async ({ server, origin, device, credentialId }) => {
    const t = await exchange(server, await authorize(server, new Jar(), {
      // The sign-in page's passkey-signin button (passkeys.js authenticate()): options, get(), answer, redirect.
      onPage: async ({ url, html, jar }) => {
        const signIn = ceremonyElement(html, 'signin', 'passkey-signin', url);
        const options = await post(signIn.optionsUrl, { returnUrl: signIn.returnUrl }, jar, origin);
        if ((options.allowCredentials ?? []).length) throw new Error('signin options name credentials: not usernameless');
        return (await post(signIn.url, device.get(options, origin, credentialId), jar, origin)).redirect;
      },
    }));
    if (!t.id_token) throw new Error('no id_token');
    // A passkey with user verification alone is worth loa:3 (CONTRACT §5): proof the passkey signed in.
    const acr = JSON.parse(Buffer.from(t.id_token.split('.')[1], 'base64url').toString('utf8')).acr;
    if (acr !== 'urn:onepass:loa:3') throw new Error(`id_token acr ${acr}, expected urn:onepass:loa:3`);
  },
};
