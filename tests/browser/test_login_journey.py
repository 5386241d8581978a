"""The step-by-step log-in, in a real browser: password, then the whole 6-digit passcode.

Every page on the way is checked with axe (WCAG 2.2 AA) and for CSP or 404 errors.
"""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from carebridge.accounts import services
from carebridge.core.permissions import Role
from tests.browser.conftest import axe_check, new_context
from tests.browser.pages import menu_link
from tests.support import (
    PASSCODE,
    PASSWORD,
    make_contract,
    make_council,
    make_provider,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOME_SCREENSHOT = "/tmp/carebridge-home.png"  # noqa: S108 - for people to look at, not the repo
TITLE_DASH = "\N{EN DASH}"  # as in base.html's <title>
LOCKED_MESSAGE = "This account is locked after too many wrong tries"


def provider_with_contract() -> Any:
    council = make_council()
    provider = make_provider()
    make_contract(council, provider)
    return council, provider


def enter_password(page: Any, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Continue").click()


def enter_passcode(page: Any, passcode: str) -> None:
    page.get_by_label("Your 6-digit passcode").fill(passcode)
    page.get_by_role("button", name="Log in").click()


def log_in(page: Any, base_url: str, email: str) -> None:
    """Both steps for a ready user (tests.support's password and passcode)."""
    enter_password(page, base_url, email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your passcode")
    enter_passcode(page, PASSCODE)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def error_summary(page: Any) -> Any:
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    return summary


def test_a_provider_user_logs_in_through_both_steps(page: Any, live_server: Any) -> None:
    _council, provider = provider_with_contract()
    user = make_user(provider=provider, ready=True)

    page.goto(f"{live_server.url}/accounts/login/")
    expect(page).to_have_title(f"Log in {TITLE_DASH} Carebridge")
    axe_check(page)

    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(f"{live_server.url}/accounts/login/second-step/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your passcode")
    axe_check(page)

    # The whole passcode in one password field that a password manager can fill and a user can
    # paste into: no "enter the 2nd, 4th and 5th digits" (WCAG 2.2 SC 3.3.8).
    form = page.locator("main form")
    entry_fields = form.locator("input:not([type=hidden])")
    expect(entry_fields).to_have_count(1)
    passcode = page.get_by_label("Your 6-digit passcode")
    expect(passcode).to_have_attribute("type", "password")
    expect(passcode).to_have_attribute("name", "passcode")
    expect(passcode).not_to_have_attribute("maxlength", "1")
    for blocker in ("onpaste", "oncopy", "ondrop", "readonly", "disabled"):
        expect(passcode).not_to_have_attribute(blocker, "")
    expect(page.get_by_text("digit of your passcode")).to_have_count(0)
    paste_allowed = passcode.evaluate(
        """(input) => {
            const event = new ClipboardEvent('paste', {bubbles: true, cancelable: true,
                                                       clipboardData: new DataTransfer()});
            return input.dispatchEvent(event);
        }"""
    )
    assert paste_allowed, "Something cancels paste on the passcode field"
    passcode.fill(PASSCODE)
    expect(passcode).to_have_value(PASSCODE)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(f"{live_server.url}/")
    header = page.locator("header")
    expect(header.locator(".cb-organisation-name")).to_have_text(provider.name)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {user.first_name}")
    axe_check(page)
    page.screenshot(path=HOME_SCREENSHOT, full_page=True)

    # Help, Your account and Log out are at the top right of the header, on every page.
    header_links = page.get_by_role("navigation", name="Help and account")
    header_links.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.get_by_text(user.email)).to_be_visible()
    axe_check(page)

    header_links.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to the care provider portal")
    expect(page.get_by_text("You have logged out")).to_be_visible()
    expect(page.get_by_role("navigation", name="Menu")).to_have_count(0)
    axe_check(page)


def test_a_new_provider_user_chooses_a_password_and_passcode_at_first_log_in(
    page: Any, live_server: Any
) -> None:
    _council, provider = provider_with_contract()
    user, initial_password = services.account_create(
        by=None,  # type: ignore[arg-type]
        email="new.starter@example.org",
        first_name="Sam",
        last_name="Starter",
        role=Role.SUPER_USER_SCHEDULED,
        provider=provider,
    )
    assert initial_password != PASSWORD

    enter_password(page, live_server.url, user.email, initial_password)
    expect(page).to_have_url(f"{live_server.url}/accounts/login/new-password/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your own password")
    axe_check(page)

    new_password = page.get_by_label("New password", exact=True)
    confirm_password = page.get_by_label("Confirm new password")
    new_password.fill("Short1")
    confirm_password.fill("Short1")
    page.get_by_role("button", name="Save password and continue").click()

    summary = error_summary(page)
    expect(page).to_have_title(f"Error: Choose a new password {TITLE_DASH} Carebridge")
    link = summary.get_by_role("link", name="Your password must be at least")
    expect(link).to_have_attribute("href", "#id_new_password")
    expect(page.locator("#id_new_password")).to_have_count(1)
    expect(page.locator("#id_new_password_1_error")).to_contain_text(
        "Your password must be at least"
    )
    expect(new_password).to_have_attribute(
        "aria-describedby", re.compile("id_new_password_1_error")
    )
    axe_check(page)
    link.click()
    expect(new_password).to_be_focused()

    new_password.fill(PASSWORD)
    confirm_password.fill(PASSWORD)
    page.get_by_role("button", name="Save password and continue").click()

    expect(page).to_have_url(f"{live_server.url}/accounts/login/new-passcode/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your 6-digit passcode")
    axe_check(page)

    new_passcode = page.get_by_label("New 6-digit passcode")
    confirm_passcode = page.get_by_label("Confirm new passcode")
    new_passcode.fill("123456")
    confirm_passcode.fill("123456")
    page.get_by_role("button", name="Save passcode and continue").click()

    summary = error_summary(page)
    expect(summary).to_contain_text("more than 3 digits in a row going up")
    expect(summary.get_by_role("link", name="going up")).to_have_attribute(
        "href", "#id_new_passcode"
    )
    axe_check(page)

    new_passcode.fill(PASSCODE)
    confirm_passcode.fill(PASSCODE)
    page.get_by_role("button", name="Save passcode and continue").click()

    # Straight home: asking at once for the passcode just chosen proves nothing more.
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Sam")
    user.refresh_from_db()
    assert not user.must_change_password
    assert user.check_password(PASSWORD)


def test_a_user_changes_their_passcode_after_giving_their_current_password(
    page: Any, live_server: Any
) -> None:
    _council, provider = provider_with_contract()
    user = make_user(provider=provider, ready=True)
    new_passcode = "246813"
    log_in(page, live_server.url, user.email)

    page.get_by_role("navigation", name="Help and account").get_by_role(
        "link", name="Your account"
    ).click()
    page.get_by_role("link", name="Change passcode").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your 6-digit passcode")
    axe_check(page)

    current = page.get_by_label("Current password")
    expect(current).to_have_attribute("type", "password")
    expect(current).to_have_attribute("autocomplete", "current-password")
    current.fill("Not-The-One-11")
    page.get_by_label("New 6-digit passcode").fill(new_passcode)
    page.get_by_label("Confirm new passcode").fill(new_passcode)
    page.get_by_role("button", name="Change passcode").click()

    summary = error_summary(page)
    expect(
        summary.get_by_role("link", name="Your current password is not right")
    ).to_have_attribute("href", "#id_current_password")
    axe_check(page)

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New 6-digit passcode").fill(new_passcode)
    page.get_by_label("Confirm new passcode").fill(new_passcode)
    page.get_by_role("button", name="Change passcode").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your passcode has been changed."
    )

    page.get_by_role("navigation", name="Help and account").get_by_role(
        "button", name="Log out"
    ).click()
    enter_password(page, live_server.url, user.email, PASSWORD)
    enter_passcode(page, new_passcode)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {user.first_name}")


def test_a_user_stops_using_their_authenticator_app_after_giving_their_password(
    page: Any, live_server: Any
) -> None:
    from django_otp.oath import totp

    _council, provider = provider_with_contract()
    user = make_user(provider=provider, ready=True)
    device = services.authenticator_start(user=user)
    assert services.authenticator_confirm(
        user=user, key=device.key, code=str(totp(device.bin_key)).zfill(6)
    )

    enter_password(page, live_server.url, user.email, PASSWORD)
    # The next code the app will show: the one just used cannot be used twice.
    page.get_by_label("Code from your authenticator app").fill(
        str(totp(device.bin_key, drift=1)).zfill(6)
    )
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {user.first_name}")

    page.get_by_role("navigation", name="Help and account").get_by_role(
        "link", name="Your account"
    ).click()
    page.get_by_role("link", name="Stop using the app and use my passcode").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stop using your authenticator app")
    axe_check(page)

    page.get_by_role("button", name="Stop using the app").click()
    expect(error_summary(page)).to_contain_text("Enter your current password")
    axe_check(page)

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_role("button", name="Stop using the app").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your authenticator app has been removed"
    )
    assert services.authenticator_device(user) is None


def test_three_wrong_passcodes_lock_the_account(page: Any, live_server: Any) -> None:
    _council, provider = provider_with_contract()
    user = make_user(provider=provider, ready=True)

    enter_password(page, live_server.url, user.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your passcode")
    for tries_left in ("2 more tries", "1 more try"):
        enter_passcode(page, "246801")
        expect(error_summary(page)).to_contain_text(
            f"The passcode is not right. You have {tries_left}"
        )
    enter_passcode(page, "246801")

    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(LOCKED_MESSAGE)

    enter_password(page, live_server.url, user.email, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(error_summary(page)).to_contain_text(LOCKED_MESSAGE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to the care provider portal")
    axe_check(page)
    user.refresh_from_db()
    assert user.locked_at is not None


def test_the_pages_work_without_javascript(chromium: Any, live_server: Any) -> None:
    _council, provider = provider_with_contract()
    user = make_user(provider=provider, ready=True)
    context = new_context(chromium, java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, live_server.url, user.email)
        expect(page).to_have_url(f"{live_server.url}/")
        expect(page.locator("body")).not_to_have_class("js-enabled")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {user.first_name}")
    finally:
        context.close()


def test_a_council_administrator_unlocks_a_locked_provider_user(
    page: Any, live_server: Any
) -> None:
    council, provider = provider_with_contract()
    administrator = make_user(council=council, ready=True)
    locked = make_user(provider=provider, ready=True)
    for _ in range(3):
        services.login_check_password(email=locked.email, password="Not-the-password-1")
    locked.refresh_from_db()
    assert locked.locked_at is not None

    log_in(page, live_server.url, administrator.email)
    expect(page.locator(".cb-organisation-name")).to_have_text(council.name)
    menu_link(page, "User accounts").click()  # Administration, then User accounts
    expect(page.get_by_role("heading", level=1)).to_have_text("User accounts")
    axe_check(page)

    page.get_by_label("Show").select_option(label="Locked accounts")
    page.get_by_role("button", name="Show accounts").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/users/?q=&status=locked")
    table = page.get_by_role("table")
    expect(table.locator("caption")).to_have_text("1 account")
    expect(table.get_by_role("link")).to_have_text([locked.full_name])
    table.get_by_role("link", name=locked.full_name).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(locked.full_name)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Locked")
    axe_check(page)

    page.get_by_role("button", name="Unlock account").click()
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text(f"{locked.full_name}'s account is unlocked.")
    expect(page.get_by_role("button", name="Unlock account")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Active")
    locked.refresh_from_db()
    assert locked.locked_at is None


def test_a_council_administrator_adds_a_providers_contact(page: Any, live_server: Any) -> None:
    council, provider = provider_with_contract()
    administrator = make_user(council=council, role=Role.COUNCIL_ADMINISTRATOR)
    log_in(page, live_server.url, administrator.email)
    page.goto(f"{live_server.url}/accounts/users/")
    page.get_by_role("button", name="Add a user").or_(
        page.get_by_role("link", name="Add a user")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a user")
    axe_check(page)

    page.get_by_role("button", name="Add user").click()
    error_summary(page)
    axe_check(page)

    page.get_by_label("First name").fill("Morgan")
    page.get_by_label("Last name").fill("Reeve")
    page.get_by_label("E-mail address").fill("morgan.reeve@example.org")
    page.get_by_label("Organisation").select_option(label=provider.name)
    page.get_by_label("Role").select_option(label="Payments")
    page.get_by_role("button", name="Add user").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Morgan Reeve can now log in")
    axe_check(page)


def test_a_user_sets_up_an_authenticator_app_from_the_key_the_page_shows(
    page: Any, live_server: Any
) -> None:
    """The page's GET saves nothing (the secret waits in the session): a wrong code, then the
    app's code from the key typed in by hand, and the app is theirs."""
    import base64

    from django_otp.oath import totp

    _council, provider = provider_with_contract()
    user = make_user(provider=provider, ready=True)
    log_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/accounts/account/")
    page.get_by_role("button", name="Set up an authenticator app").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    axe_check(page)
    assert services.authenticator_device(user) is None

    page.get_by_text("I cannot scan the QR code").click()
    key = (page.locator(".govuk-details__text .cb-nowrap").text_content() or "").replace(" ", "")
    secret = base64.b32decode(key + "=" * (-len(key) % 8))
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Use this app to log in").click()
    expect(error_summary(page)).to_contain_text("The code is not right")
    axe_check(page)
    shown_again = (page.locator(".govuk-details__text .cb-nowrap").text_content() or "").replace(
        " ", ""
    )
    assert shown_again == key, "a mistyped code does not void the scan"

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(str(totp(secret)).zfill(6))
    page.get_by_role("button", name="Use this app to log in").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your authenticator app is set up"
    )
    device = services.authenticator_device(user)
    assert device is not None and device.bin_key == secret
