// A small software WebAuthn authenticator (and the few client steps a browser takes around it) for the
// load driver, with node:crypto only: one P-256 key pair per credential (COSE alg -7, ES256), attestation
// format "none", discoverable credentials kept in memory. It does what a platform authenticator with user
// verification does (a fingerprint that always matches), so the server sees real WebAuthn ceremonies.
// Section numbers are WebAuthn Level 3 (https://www.w3.org/TR/webauthn-3/); byte strings travel as
// base64url, as in the JSON the server and wwwroot/js/passkeys.js exchange.
import crypto from 'node:crypto';

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const fromB64url = (text) => Buffer.from(text, 'base64url');
const sha256 = (data) => crypto.createHash('sha256').update(data).digest();

// ---- CBOR (RFC 8949), the subset WebAuthn needs: unsigned and negative integers, byte and text strings,
// maps. Maps are written in the order given; callers give CTAP2's canonical order (§6.5.3, shorter keys
// first, then bytewise), which is what authenticators send.
function head(major, length) {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  if (length < 0x10000) { const b = Buffer.alloc(3); b[0] = (major << 5) | 25; b.writeUInt16BE(length, 1); return b; }
  const b = Buffer.alloc(5); b[0] = (major << 5) | 26; b.writeUInt32BE(length, 1); return b;
}
export function cbor(value) {
  if (Number.isInteger(value)) return value >= 0 ? head(0, value) : head(1, -1 - value); // major 0 / 1
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]); // major 2: byte string
  if (typeof value === 'string') { const t = Buffer.from(value, 'utf8'); return Buffer.concat([head(3, t.length), t]); } // major 3
  if (value instanceof Map) { // major 5: map, entries in insertion order
    const parts = [head(5, value.size)];
    for (const [k, v] of value) parts.push(cbor(k), cbor(v));
    return Buffer.concat(parts);
  }
  throw new TypeError(`cbor: unsupported value ${typeof value}`);
}

// ---- Authenticator data (§6.1) --------------------------------------------------------------------------
const UP = 0x01; // user present
const UV = 0x04; // user verified
const AT = 0x40; // attested credential data included
const AAGUID = Buffer.alloc(16); // all zero: attestation "none" conveys no authenticator model (§6.5.1)

/** rpIdHash (32) || flags (1) || signCount (4, big-endian) || attestedCredentialData (§6.5.1) when given. */
function authenticatorData(rpId, flags, signCount, attested = Buffer.alloc(0)) {
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(signCount >>> 0);
  return Buffer.concat([sha256(Buffer.from(rpId, 'utf8')), Buffer.from([flags]), counter, attested]);
}

/** The credential public key as a COSE_Key (§6.5.1.1, RFC 9053 §7.1): EC2, ES256, P-256, x, y. */
function coseKey(publicKey) {
  const jwk = publicKey.export({ format: 'jwk' });
  return cbor(new Map([
    [1, 2], // kty: EC2
    [3, -7], // alg: ES256
    [-1, 1], // crv: P-256
    [-2, fromB64url(jwk.x)], // x coordinate, 32 bytes
    [-3, fromB64url(jwk.y)], // y coordinate, 32 bytes
  ]));
}

/** The effective domain of origin equals rpId or ends with "." + rpId (§5.1.3 step 8, §5.1.4.1 step 8). */
function checkRpId(rpId, origin) {
  const host = new URL(origin).hostname;
  if (!rpId || !(host === rpId || host.endsWith(`.${rpId}`))) throw new Error(`rp id ${rpId} is not valid for origin ${origin}`);
}

/** An authenticator: a store of discoverable credentials (one device, e.g. one browser profile). */
export class Authenticator {
  constructor() { this.credentials = new Map(); } // base64url credential id -> { rpId, userHandle, privateKey, signCount }

  /** True when this authenticator holds one of the descriptors (§6.3.2 step 3, §6.3.3 step 6). */
  holdsAny(descriptors) { return (descriptors ?? []).some((d) => this.credentials.has(d.id)); }

  /**
   * navigator.credentials.create() (§5.1.3) and authenticatorMakeCredential (§6.3.2) for
   * PublicKeyCredentialCreationOptionsJSON `options`, from page `origin`. Returns the
   * RegistrationResponseJSON passkeys.js posts back.
   */
  create(options, origin) {
    const rpId = options.rp?.id ?? new URL(origin).hostname; // §5.1.3 step 7: defaults to the origin's domain
    checkRpId(rpId, origin);
    // §5.1.3 step 10 / §6.3.2 step 2: an algorithm we support, ES256 (-7).
    if (!(options.pubKeyCredParams ?? []).some((p) => p.type === 'public-key' && p.alg === -7)) throw new Error('ES256 not offered');
    // §6.3.2 step 3: refuse if we already hold a credential the relying party excludes (InvalidStateError).
    if (this.holdsAny(options.excludeCredentials)) throw new Error('InvalidStateError: a credential of this authenticator is excluded');
    // §5.1.3 step 14 (client data, §5.8.1): type, challenge (as sent, base64url), origin, crossOrigin.
    const clientDataJSON = Buffer.from(JSON.stringify({
      type: 'webauthn.create', challenge: options.challenge, origin, crossOrigin: false,
    }), 'utf8');
    // §6.3.2 step 7: a new key pair and credential id; the credential is discoverable (resident).
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const credentialId = crypto.randomBytes(32);
    const id = b64url(credentialId);
    this.credentials.set(id, { rpId, userHandle: options.user.id, privateKey, signCount: 0 });
    // §6.5.1 attested credential data: aaguid (16) || credentialIdLength (2, big-endian) || credentialId || COSE key.
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credentialId.length);
    const attested = Buffer.concat([AAGUID, idLength, credentialId, coseKey(publicKey)]);
    // §6.3.2 step 9-10 / §6.1: flags UP|UV|AT, signCount 0 (the first assertion counts 1).
    const authData = authenticatorData(rpId, UP | UV | AT, 0, attested);
    // §6.5.4 / §8.7 attestation object, format "none" with an empty statement: {fmt, attStmt, authData}.
    const attestationObject = cbor(new Map([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
    return {
      id, rawId: id, type: 'public-key',
      response: { attestationObject: b64url(attestationObject), clientDataJSON: b64url(clientDataJSON), transports: ['internal'] },
      clientExtensionResults: {},
    };
  }

  /**
   * navigator.credentials.get() (§5.1.4) and authenticatorGetAssertion (§6.3.3) for
   * PublicKeyCredentialRequestOptionsJSON `options`. An empty allowCredentials (usernameless) picks
   * one of our discoverable credentials for the rp id (`preferId` when given, as a user picking an
   * account). Returns the AuthenticationResponseJSON passkeys.js posts back.
   */
  get(options, origin, preferId) {
    const rpId = options.rpId ?? new URL(origin).hostname; // §5.1.4.1 step 7
    checkRpId(rpId, origin);
    const allowed = (options.allowCredentials ?? []).map((d) => d.id);
    // §6.3.3 step 6-7: the credentials usable here: those allowed, or every one for the rp id.
    const candidates = [...this.credentials].filter(([id, c]) => c.rpId === rpId && (allowed.length === 0 || allowed.includes(id)));
    const chosen = candidates.find(([id]) => id === preferId) ?? candidates[0];
    if (!chosen) throw new Error('NotAllowedError: no credential for this relying party');
    const [id, credential] = chosen;
    // §5.1.4.1 step 11 (client data, §5.8.1).
    const clientDataJSON = Buffer.from(JSON.stringify({
      type: 'webauthn.get', challenge: options.challenge, origin, crossOrigin: false,
    }), 'utf8');
    // §6.3.3 step 9 / §6.1.1: the signature counter grows by one per assertion.
    credential.signCount += 1;
    // §6.3.3 step 10: flags UP|UV (user verification always performed), no attested data.
    const authData = authenticatorData(rpId, UP | UV, credential.signCount);
    // §6.3.3 step 11: sign authenticatorData || SHA-256(clientDataJSON); ES256 signatures are ASN.1 DER (§6.5.5).
    const signature = crypto.sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), { key: credential.privateKey, dsaEncoding: 'der' });
    return {
      id, rawId: id, type: 'public-key',
      response: {
        authenticatorData: b64url(authData), clientDataJSON: b64url(clientDataJSON),
        signature: b64url(signature), userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
    };
  }
}
