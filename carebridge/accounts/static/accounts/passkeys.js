// Passkeys need JavaScript (WebAuthn has no form-only way); the pages say so and, where a
// passkey is not required, keep the passcode form working without it.
// Once django-otp-webauthn's script has registered a passkey, go to the page named by
// data-passkey-after (the list of passkeys, or the next log-in step).
document.addEventListener("otp_webauthn.register_complete", () => {
  const target = document.querySelector("[data-passkey-after]");
  if (target) {
    window.location.assign(target.getAttribute("data-passkey-after"));
  }
});
