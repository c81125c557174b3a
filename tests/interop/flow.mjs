// A full OpenID Connect flow against OnePass with openid-client (npm), the way a Node.js agency would
// integrate: discovery, authorization code + PKCE S256 with state and nonce, the citizen's HTML forms
// (login, consent) driven with fetch, code redemption with every check openid-client makes (state,
// PKCE, RFC 9207 `iss`, ID token signature, claims and nonce), userinfo, refresh token rotation and
// reuse detection, and RP-initiated logout.
//
// Environment: ISSUER, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, POST_LOGOUT_REDIRECT_URI, USERNAME, PASSWORD.
// Prints a JSON summary on stdout; exits 0 only when every check passed.

import * as client from 'openid-client';

const REQUEST_TIMEOUT_MS = 15_000;
const MAX_BROWSER_STEPS = 20;

const env = readEnvironment([
  'ISSUER',
  'CLIENT_ID',
  'CLIENT_SECRET',
  'REDIRECT_URI',
  'POST_LOGOUT_REDIRECT_URI',
  'USERNAME',
  'PASSWORD',
]);

const checks = [];

/** Records a check; throws (ending the flow) when it failed. */
function check(name, ok, detail) {
  checks.push(detail === undefined ? { name, ok: Boolean(ok) } : { name, ok: Boolean(ok), detail });
  if (!ok) {
    throw new CheckFailed(name, detail);
  }
}

class CheckFailed extends Error {
  constructor(name, detail) {
    super(`check failed: ${name}${detail === undefined ? '' : ` (${typeof detail === 'string' ? detail : JSON.stringify(detail)})`}`);
    this.name = 'CheckFailed';
  }
}

/** Runs an openid-client call that must be refused; returns the error. */
async function expectRejection(name, action, accept) {
  try {
    await action();
  } catch (error) {
    check(name, accept(error), describeError(error));
    return error;
  }

  check(name, false, 'the call succeeded but should have been refused');
  return undefined;
}

async function main() {
  const issuer = new URL(env.ISSUER);
  const insecure = issuer.protocol === 'http:';

  // 1. Discovery (openid-client checks that the document's issuer equals the one asked for).
  const config = await client.discovery(
    issuer,
    env.CLIENT_ID,
    { client_secret: env.CLIENT_SECRET },
    client.ClientSecretBasic(env.CLIENT_SECRET),
    { execute: [...(insecure ? [client.allowInsecureRequests] : []), client.enableNonRepudiationChecks] },
  );
  const metadata = config.serverMetadata();
  check('discovery.issuer', metadata.issuer === issuer.href, metadata.issuer);
  check('discovery.pkce_s256_only',
    metadata.supportsPKCE('S256') && !metadata.supportsPKCE('plain'),
    metadata.code_challenge_methods_supported);
  check('discovery.iss_parameter_supported', metadata.authorization_response_iss_parameter_supported === true);
  check('discovery.end_session_endpoint', typeof metadata.end_session_endpoint === 'string', metadata.end_session_endpoint);

  // 2. The citizen signs in and consents; stop at the agency's redirect URI without fetching it.
  const browser = new Browser(issuer);
  const credentials = { username: env.USERNAME, password: env.PASSWORD };
  const first = await authorize(config, browser, credentials);
  check('browser.login_form_shown', first.loginForms === 1, { loginForms: first.loginForms });
  const { callback } = first;
  check('authorization.redirected_to_agency', callback !== undefined && callback.searchParams.has('code'),
    callback?.href ?? first.lastPage);

  // 3. RFC 9207: a response with a wrong or a missing `iss` is refused before the code is sent anywhere.
  const isIssuerError = (error) => error?.code === 'OAUTH_INVALID_RESPONSE' && /"iss"/.test(error.cause?.message ?? '');
  const forged = new URL(callback);
  forged.searchParams.set('iss', 'https://attacker.example/');
  await expectRejection('authorization.forged_iss_refused', () => redeem(config, first, forged), isIssuerError);
  const stripped = new URL(callback);
  stripped.searchParams.delete('iss');
  await expectRejection('authorization.missing_iss_refused', () => redeem(config, first, stripped), isIssuerError);
  check('authorization.iss_equals_issuer', callback.searchParams.get('iss') === metadata.issuer, callback.searchParams.get('iss'));

  // 4. Code redemption: openid-client validates state, iss, the ID token (signature against JWKS,
  //    iss, aud, exp, iat, nonce) and sends the PKCE verifier.
  const tokens = await redeem(config, first, callback);
  const claims = tokens.claims();
  check('token.bearer', tokens.token_type?.toLowerCase() === 'bearer', tokens.token_type);
  check('token.refresh_token_issued', typeof tokens.refresh_token === 'string');
  check('id_token.nonce', claims?.nonce === first.nonce);
  check('id_token.aud', claims?.aud === env.CLIENT_ID || (Array.isArray(claims?.aud) && claims.aud.includes(env.CLIENT_ID)), claims?.aud);
  check('id_token.sub', typeof claims?.sub === 'string' && claims.sub.length > 0);
  check('id_token.session_claims',
    typeof claims.sid === 'string' && typeof claims.auth_time === 'number' && typeof claims.acr === 'string'
      && Array.isArray(claims.amr) && claims.amr.length > 0,
    { sid: claims.sid, auth_time: claims.auth_time, acr: claims.acr, amr: claims.amr });

  // 5. Userinfo (openid-client also refuses a response whose sub differs).
  const userInfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  check('userinfo.sub_matches_id_token', userInfo.sub === claims.sub);

  // 6. Refresh token rotation.
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  check('refresh.new_access_token', typeof refreshed.access_token === 'string' && refreshed.access_token !== tokens.access_token);
  check('refresh.rotated', typeof refreshed.refresh_token === 'string' && refreshed.refresh_token !== tokens.refresh_token);
  const refreshedClaims = refreshed.claims();
  if (refreshedClaims !== undefined) {
    check('refresh.id_token_same_sub', refreshedClaims.sub === claims.sub);
  }

  // 7. RP-initiated logout: the hint matches the session, so it signs out at once and returns to the
  //    agency's post-logout URI with its state.
  const logoutState = client.randomState();
  const endSessionUrl = client.buildEndSessionUrl(config, {
    id_token_hint: tokens.id_token,
    post_logout_redirect_uri: env.POST_LOGOUT_REDIRECT_URI,
    state: logoutState,
  });
  const logout = await browser.run(endSessionUrl, env.POST_LOGOUT_REDIRECT_URI);
  const returned = logout.stoppedAt;
  check('logout.redirected_to_post_logout_uri',
    returned !== undefined && `${returned.origin}${returned.pathname}` === env.POST_LOGOUT_REDIRECT_URI,
    returned?.href ?? logout.lastPage);
  check('logout.state_returned', returned.searchParams.get('state') === logoutState, returned.href);

  // 8. The session is gone: a new authorization request asks for the password again.
  const second = await authorize(config, browser, credentials);
  check('logout.session_ended', second.loginPageShown && second.loginForms === 1, { loginForms: second.loginForms });
  check('authorization.second_code', second.callback?.searchParams.has('code') === true, second.callback?.href ?? second.lastPage);

  // 9. Refresh token reuse detection, on the second grant (reuse revokes the whole grant, which
  //    would also void the first ID token used as a logout hint above): a used refresh token is
  //    refused and its successor revoked.
  const secondTokens = await redeem(config, second, second.callback);
  check('id_token.same_sub_after_new_sign_in', secondTokens.claims()?.sub === claims.sub);
  const rotated = await client.refreshTokenGrant(config, secondTokens.refresh_token);
  check('refresh.second_grant_rotated', typeof rotated.refresh_token === 'string' && rotated.refresh_token !== secondTokens.refresh_token);
  const isInvalidGrant = (error) => error instanceof client.ResponseBodyError && error.error === 'invalid_grant';
  await expectRejection('refresh.reuse_refused', () => client.refreshTokenGrant(config, secondTokens.refresh_token), isInvalidGrant);
  await expectRejection('refresh.family_revoked_after_reuse', () => client.refreshTokenGrant(config, rotated.refresh_token), isInvalidGrant);

  return { sub: claims.sub, acr: claims.acr, amr: claims.amr };
}

/** Builds an authorization request (PKCE S256, state, nonce) and runs it in the browser. */
async function authorize(config, browser, credentials) {
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: env.REDIRECT_URI,
    scope: 'openid profile email offline_access',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const result = await browser.run(authorizationUrl, env.REDIRECT_URI, credentials);
  return { ...result, callback: result.stoppedAt, codeVerifier, state, nonce };
}

/** Redeems the code of an authorization response with every check openid-client offers. */
function redeem(config, request, callbackUrl) {
  return client.authorizationCodeGrant(config, callbackUrl, {
    pkceCodeVerifier: request.codeVerifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
    idTokenExpected: true,
  });
}

/**
 * A browser without JavaScript: a tiny cookie jar for the identity provider's origin, redirects
 * followed by hand, and the login and consent forms answered the way a citizen would.
 */
class Browser {
  #origin;
  #cookies = new Map();

  constructor(issuer) {
    this.#origin = issuer.origin;
  }

  /**
   * Follows `start` until a redirect leads to `stopPrefix` (returned, not fetched). When `credentials`
   * are given the login form is filled once; a consent form is answered with decision=allow.
   */
  async run(start, stopPrefix, credentials) {
    let response = await this.#request(new URL(start));
    let url = new URL(start);
    let loginForms = 0;
    let loginPageShown = false;
    for (let step = 0; step < MAX_BROWSER_STEPS; step++) {
      if (response.status >= 300 && response.status < 400) {
        const next = new URL(response.headers.get('location') ?? fail(`redirect without Location from ${url}`), url);
        if (next.href.startsWith(stopPrefix)) {
          return { stoppedAt: next, loginForms, loginPageShown };
        }

        if (next.origin !== this.#origin) {
          fail(`redirected to a foreign origin: ${next.href}`);
        }

        url = next;
        response = await this.#request(url);
        continue;
      }

      const html = await response.text();
      if (response.status !== 200) {
        return { stoppedAt: undefined, loginForms, loginPageShown, lastPage: `${response.status} ${url} ${html.slice(0, 500)}` };
      }

      const forms = parseForms(html);
      const login = forms.find((form) => form.inputs.some((input) => input.name === 'password'));
      const consent = forms.find((form) => form.buttons.some((button) => button.name === 'decision' && button.value === 'allow'));
      if (login !== undefined) {
        loginPageShown = true;
        if (credentials === undefined || loginForms > 0) {
          return { stoppedAt: undefined, loginForms, loginPageShown, lastPage: `login page at ${url} ${pageError(html)}` };
        }

        loginForms++;
        const fields = hiddenFields(login);
        fields.push(['username', credentials.username], ['password', credentials.password]);
        url = new URL(login.action || url.href, url);
        response = await this.#request(url, fields);
      } else if (consent !== undefined) {
        const fields = hiddenFields(consent);
        fields.push(['decision', 'allow']);
        url = new URL(consent.action || url.href, url);
        response = await this.#request(url, fields);
      } else {
        return { stoppedAt: undefined, loginForms, loginPageShown, lastPage: `unexpected page at ${url}: ${html.slice(0, 500)}` };
      }
    }

    fail(`more than ${MAX_BROWSER_STEPS} steps: a redirect loop?`);
  }

  async #request(url, formFields) {
    if (url.origin !== this.#origin) {
      fail(`refusing to send cookies to ${url.origin}`);
    }

    const headers = new Headers({ accept: 'text/html' });
    const cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (cookie) {
      headers.set('cookie', cookie);
    }

    let body;
    if (formFields !== undefined) {
      body = new URLSearchParams(formFields);
      headers.set('content-type', 'application/x-www-form-urlencoded');
    }

    const response = await fetch(url, {
      method: formFields === undefined ? 'GET' : 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    this.#store(response.headers.getSetCookie());
    return response;
  }

  #store(setCookies) {
    for (const setCookie of setCookies) {
      const [pair, ...attributes] = setCookie.split(';');
      const separator = pair.indexOf('=');
      if (separator <= 0) {
        continue;
      }

      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      const expired = attributes.some((attribute) => {
        const [key, ...rest] = attribute.split('=');
        const attributeValue = rest.join('=').trim();
        switch (key.trim().toLowerCase()) {
          case 'max-age':
            return Number(attributeValue) <= 0;
          case 'expires':
            return Date.parse(attributeValue) <= Date.now();
          default:
            return false;
        }
      });
      if (expired || value === '') {
        this.#cookies.delete(name);
      } else {
        this.#cookies.set(name, value);
      }
    }
  }
}

/** The forms of a page with their inputs and buttons (enough for server-rendered pages). */
function parseForms(html) {
  const forms = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attributes = parseAttributes(match[1]);
    const inner = match[2];
    forms.push({
      action: attributes.action ?? '',
      method: (attributes.method ?? 'get').toLowerCase(),
      inputs: [...inner.matchAll(/<input\b([^>]*)>/gi)].map((input) => parseAttributes(input[1])),
      buttons: [...inner.matchAll(/<button\b([^>]*)>/gi)].map((button) => parseAttributes(button[1])),
    });
  }

  return forms;
}

function hiddenFields(form) {
  return form.inputs
    .filter((input) => (input.type ?? '').toLowerCase() === 'hidden' && input.name)
    .map((input) => [input.name, input.value ?? '']);
}

function parseAttributes(text) {
  const attributes = {};
  for (const match of text.matchAll(/([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g)) {
    attributes[match[1].toLowerCase()] = decodeEntities(match[2] ?? match[3] ?? match[4] ?? '');
  }

  return attributes;
}

function decodeEntities(text) {
  const named = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (entity, body) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return String.fromCodePoint(code);
    }

    return named[body.toLowerCase()] ?? entity;
  });
}

function pageError(html) {
  const alert = /<[^>]*role="alert"[^>]*>([\s\S]*?)</i.exec(html);
  return alert ? `(${decodeEntities(alert[1]).trim()})` : '';
}

function describeError(error) {
  if (error === undefined || error === null) {
    return String(error);
  }

  const described = { name: error.name, code: error.code, message: error.message };
  if (error.cause instanceof Error) {
    described.cause = error.cause.message;
  }

  if (error instanceof client.ResponseBodyError) {
    described.status = error.status;
    described.error = error.error;
    described.error_description = error.error_description;
  }

  return described;
}

function fail(message) {
  throw new Error(message);
}

function readEnvironment(names) {
  const values = {};
  const missing = [];
  for (const name of names) {
    const value = process.env[name];
    if (value === undefined || value === '') {
      missing.push(name);
    } else {
      values[name] = value;
    }
  }

  if (missing.length > 0) {
    process.stderr.write(`flow.mjs: missing environment variables: ${missing.join(', ')}\n`);
    process.exit(2);
  }

  return values;
}

const started = performance.now();
try {
  const result = await main();
  const elapsedMs = Math.round(performance.now() - started);
  process.stdout.write(`${JSON.stringify({ ok: true, issuer: env.ISSUER, client: env.CLIENT_ID, elapsedMs, ...result, checks }, null, 2)}\n`);
} catch (error) {
  const message = error instanceof CheckFailed ? error.message : `unexpected error: ${JSON.stringify(describeError(error))}`;
  process.stdout.write(`${JSON.stringify({ ok: false, issuer: env.ISSUER, client: env.CLIENT_ID, error: message, checks }, null, 2)}\n`);
  process.stderr.write(`flow.mjs: ${message}\n`);
  if (error?.cause !== undefined) {
    process.stderr.write(`cause: ${JSON.stringify(error.cause)}\n`);
  }

  process.exitCode = 1;
}
