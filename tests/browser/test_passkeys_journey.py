"""Passkeys in real Chromium with its virtual authenticator (CDP WebAuthn): a council that
requires a passkey sends its staff member to create one after the passcode, once; the next
log-in asks for the passkey alone. Every page is checked with axe and for CSP or 404 errors."""

from typing import Any

import pytest
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from carebridge.audit.models import Event
from tests.browser.conftest import assert_no_csp_or_404_errors, axe_check
from tests.browser.test_login_journey import enter_passcode, enter_password
from tests.support import PASSCODE, PASSWORD, make_council, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_virtual_authenticator(page: Any) -> Any:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp


def test_staff_create_the_passkey_their_council_requires_then_log_in_with_it(
    page: Any, live_server: Any, settings: Any
) -> None:
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    assert live_server.url.startswith("http://localhost")
    user = make_user(council=make_council(staff_require_passkey=True), ready=True)
    add_virtual_authenticator(page)

    enter_password(page, live_server.url, user.email, PASSWORD)
    enter_passcode(page, PASSCODE)
    expect(page).to_have_url(f"{live_server.url}/accounts/login/passkey-set-up/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a passkey to log in")
    axe_check(page)
    page.get_by_role("button", name="Create a passkey").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    assert WebAuthnCredential.objects.filter(user=user, confirmed=True).count() == 1
    assert Event.objects.filter(action="passkey.added").exists()
    assert_no_csp_or_404_errors(page)

    page.context.clear_cookies()
    enter_password(page, live_server.url, user.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in with your passkey")
    expect(page.get_by_label("Your 6-digit passcode")).to_have_count(0)
    axe_check(page)
    page.get_by_role("button", name="Log in with your passkey").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    assert_no_csp_or_404_errors(page)

    page.goto(f"{live_server.url}/accounts/account/passkeys/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your passkeys")
    axe_check(page)
