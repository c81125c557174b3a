// Passkey (WebAuthn Level 3) ceremonies for OnePass pages. Served by OnePass itself (no CDN, no inline
// script: CSP). Each element with data-passkey-ceremony="register|signin|secondfactor" gets its button
// wired; data-options-url and data-url name the server endpoints, data-return-url where to go after a
// sign-in. The numbered comments follow the client side of the spec: §5.1.3 create(), §5.1.4 get().
// No words live here: the server's error_description comes in the page's language, and the two fallback
// messages come from the element's data-error-cancelled and data-error-failed (rendered from Texts).
// The server checks everything (origin, rpId hash, challenge, signature, counter); this file only
// carries the data between the authenticator and the server.

const HEADER = { "Content-Type": "application/json", "X-OnePass-Passkey": "1" };

function fromBase64Url(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "===".slice((base64.length + 3) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) {
    bytes[i] = binary.charCodeAt(i);
  }
  return bytes.buffer;
}

function toBase64Url(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 1) {
    binary += String.fromCharCode(bytes[i]);
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: HEADER,
    body: JSON.stringify(body ?? {}),
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const failure = new Error((data && data.error_description) || "");
    failure.fromServer = true;
    throw failure;
  }
  return data;
}

function descriptors(list) {
  return (list || []).map((item) => ({ ...item, id: fromBase64Url(item.id) }));
}

// Registration: WebAuthn §5.1.3 (client) and §7.1 (what the server verifies).
async function register(element) {
  const nameInput = element.querySelector("#passkey-name");
  // 1. Ask OnePass for PublicKeyCredentialCreationOptions: rp, user (random handle), a fresh
  //    challenge, excludeCredentials (the passkeys already registered), residentKey "required".
  const options = await post(element.dataset.optionsUrl, { name: nameInput ? nameInput.value : "" });
  // 2. Turn the base64url fields into the BufferSources the API expects.
  const publicKey = {
    ...options,
    challenge: fromBase64Url(options.challenge),
    user: { ...options.user, id: fromBase64Url(options.user.id) },
    excludeCredentials: descriptors(options.excludeCredentials),
  };
  // 3. navigator.credentials.create(): the browser sets clientDataJSON (type "webauthn.create",
  //    challenge, origin) and the authenticator makes a key pair bound to the rpId.
  const credential = await navigator.credentials.create({ publicKey });
  // 4. Send the PublicKeyCredential (id, rawId, attestationObject, clientDataJSON, transports) back;
  //    OnePass verifies it (§7.1 steps 5-27) and stores the public key with its name.
  await post(element.dataset.url, {
    id: credential.id,
    rawId: toBase64Url(credential.rawId),
    type: credential.type,
    response: {
      attestationObject: toBase64Url(credential.response.attestationObject),
      clientDataJSON: toBase64Url(credential.response.clientDataJSON),
      transports: typeof credential.response.getTransports === "function" ? credential.response.getTransports() : [],
    },
    clientExtensionResults: credential.getClientExtensionResults(),
  });
  // 5. Show the updated list.
  window.location.reload();
}

// Authentication: WebAuthn §5.1.4 (client) and §7.2 (what the server verifies).
async function authenticate(element) {
  // 1. Ask OnePass for PublicKeyCredentialRequestOptions: a fresh challenge, rpId, userVerification,
  //    and allowCredentials (empty for a discoverable passkey; the pending user's for a second factor).
  const options = await post(element.dataset.optionsUrl, { returnUrl: element.dataset.returnUrl || "" });
  // 2. Turn the base64url fields into BufferSources.
  const publicKey = {
    ...options,
    challenge: fromBase64Url(options.challenge),
    allowCredentials: descriptors(options.allowCredentials),
  };
  // 3. navigator.credentials.get(): the browser sets clientDataJSON (type "webauthn.get", challenge,
  //    origin); the authenticator signs authenticatorData || SHA-256(clientDataJSON).
  const assertion = await navigator.credentials.get({ publicKey });
  // 4. Send the assertion back; OnePass verifies it (§7.2 steps 5-23: credential known, user handle,
  //    origin, rpIdHash, UP/UV flags, signature, signature counter) and signs the citizen in.
  const result = await post(element.dataset.url, {
    id: assertion.id,
    rawId: toBase64Url(assertion.rawId),
    type: assertion.type,
    response: {
      authenticatorData: toBase64Url(assertion.response.authenticatorData),
      clientDataJSON: toBase64Url(assertion.response.clientDataJSON),
      signature: toBase64Url(assertion.response.signature),
      userHandle: assertion.response.userHandle ? toBase64Url(assertion.response.userHandle) : null,
    },
    clientExtensionResults: assertion.getClientExtensionResults(),
  });
  // 5. Continue where the sign-in was going (a local URL chosen by the server).
  window.location.assign(result.redirect);
}

function wire(element) {
  if (element.dataset.passkeyWired) {
    return;
  }
  element.dataset.passkeyWired = "1";
  const button = element.querySelector("button[type=button]");
  const error = element.querySelector("[data-passkey-error]");
  if (!button) {
    return;
  }
  if (!window.PublicKeyCredential || !navigator.credentials) {
    button.hidden = true;
    return;
  }
  const ceremony = element.dataset.passkeyCeremony === "register" ? register : authenticate;
  button.addEventListener("click", async () => {
    button.disabled = true;
    if (error) {
      error.hidden = true;
      error.textContent = "";
    }
    try {
      await ceremony(element);
    } catch (problem) {
      if (error) {
        // The server's own message when it gave one; otherwise the page's words, never the browser's
        // (a DOMException message is technical and may be in another language).
        if (problem && problem.fromServer && problem.message) {
          error.textContent = problem.message;
        } else if (problem && problem.name === "NotAllowedError") {
          error.textContent = element.dataset.errorCancelled || "";
        } else {
          error.textContent = element.dataset.errorFailed || "";
        }
        error.hidden = false;
      }
    } finally {
      button.disabled = false;
    }
  });
}

document.querySelectorAll("[data-passkey-ceremony]").forEach(wire);
