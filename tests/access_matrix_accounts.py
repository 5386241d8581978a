"""The access matrix's entries for the accounts pages: another organisation's user, its account
actions (each tried by every persona, and carried out by its owner), and the tokens of the
reset, set-up and new e-mail address links."""

from typing import Any

from tests.access_entry import Entry


def _passkey_of_other_provider_user(world: Any) -> dict[str, Any]:
    """A passkey of another provider's user (made once per world)."""
    from django_otp_webauthn.models import WebAuthnCredential

    device, _ = WebAuthnCredential.objects.get_or_create(
        credential_id=b"access-matrix-passkey",
        defaults={"user": world.other_provider_user, "name": "Laptop", "public_key": b"x"},
    )
    return {"pk": device.pk}


REGISTRY: dict[str, Entry] = {
    "accounts:user_detail": Entry(
        kwargs=lambda w: {"pk": w.other_provider_user.pk}, owner=lambda w: w.other_council_admin
    ),
    "accounts:user_action": Entry(
        kwargs=lambda w: {"pk": w.other_provider_colleague.pk, "action": "close"},
        owner=lambda w: w.other_council_admin,
        more=({"action": "authenticator"}, {"action": "sessions"}),
    ),
    **{
        name: Entry(kwargs=lambda w: {"token": "not-a-real-reset-token"})
        for name in ("accounts:reset_password", "accounts:reset_passcode")
    },
    **{
        name: Entry(kwargs=_passkey_of_other_provider_user, owner=lambda w: w.other_provider_user)
        for name in ("accounts:passkey_rename", "accounts:passkey_remove")
    },
    "accounts:set_up": Entry(kwargs=lambda w: {"token": "not-a-real-setup-token"}),
    # A new e-mail address's link opens only for the user who asked for it: 404 for all others.
    "accounts:email_change_confirm": Entry(
        kwargs=lambda w: {"token": "not-a-real-email-change-token"}
    ),
    # The other council offers no single sign-on: the button's POST is refused for everyone.
    "accounts:sso_start": Entry(kwargs=lambda w: {"council_slug": w.other_council.slug}),
}
