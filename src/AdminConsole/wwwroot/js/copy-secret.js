// The "Copy" button beside a new client secret (shown once). A file, not inline script: the CSP allows no inline code.
// The button stays hidden without JavaScript or a clipboard; the secret remains selectable text either way.
const button = document.getElementById("copy-secret");
const secret = document.getElementById("client-secret");
const status = document.getElementById("copy-secret-status");

if (button && secret && navigator.clipboard) {
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(secret.textContent.trim());
      if (status) status.textContent = "The secret was copied to the clipboard.";
    } catch {
      if (status) status.textContent = "The secret could not be copied; select it and copy it by hand.";
    }
  });
}
