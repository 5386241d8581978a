"""Proofs for docs/security.md's rows whose behaviour was there but untested: sessions and their
cookies (3.3.2, 7.2.3, 7.2.4), password inputs (6.2.6), one-time codes (6.5.1), where secrets
come from (6.5.3) and the directory feed's web addresses (1.2.2).

Each test drives the real pages or services; none reads a constant back."""

from __future__ import annotations

import ast
import json
import math
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, SessionBase
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp

from carebridge.accounts import services
from carebridge.accounts.services import Outcome
from carebridge.accounts.tests.support import new_broker
from carebridge.core.logs import LINK_OPENED
from carebridge.frontdoor.models import DirectoryService, FrontDoorSettings
from carebridge.frontdoor.tests.directory import directory_support as d
from tests.support import PASSCODE, PASSWORD, client_for, make_council, make_provider, make_user

ROOT = Path(__file__).resolve().parent.parent
LOGIN = reverse("accounts:login")
SECOND = reverse("accounts:login_second_step")


class Inputs(HTMLParser):
    """Every <input>'s attributes and every link's href (attribute values unescaped)."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.inputs: list[dict[str, str]] = []
        self.hrefs: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "input":
            self.inputs.append(values)
        if "href" in values:
            self.hrefs.append(values["href"])


def session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def session_exists(key: str) -> bool:
    from importlib import import_module

    return import_module(settings.SESSION_ENGINE).SessionStore().exists(key)


@pytest.fixture
def provider_user():
    provider = make_provider()
    from tests.support import make_contract

    make_contract(make_council(), provider)
    return make_user(provider=provider, role="read_only")


# --- 7.2.4: a new session key at each step of the log-in ---------------------------------------


@pytest.mark.django_db
def test_the_session_key_changes_after_the_password_and_again_after_the_second_step(
    provider_user,
):
    client = Client()
    planted = client.session  # a key the browser had before: one an attacker could have planted
    planted["visited"] = True
    planted.save()
    before = session_key(client)

    assert client.post(LOGIN, {"email": provider_user.email, "password": PASSWORD}).status_code
    after_password = session_key(client)
    assert after_password != before
    assert not session_exists(before)

    response = client.post(SECOND, {"passcode": PASSCODE})
    assert response["Location"] == reverse("home:home")
    logged_in = session_key(client)
    assert logged_in not in (before, after_password)
    assert not session_exists(after_password)
    assert int(client.session["_auth_user_id"]) == provider_user.pk

    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = before
    assert stale.get(reverse("home:home"))["Location"].startswith(LOGIN)


# --- 7.2.3: session keys of 128 bits or more, from a CSPRNG ---------------------------------------


@pytest.mark.django_db
def test_a_session_key_carries_at_least_128_bits_drawn_from_secrets(provider_user, monkeypatch):
    import secrets

    client = Client()
    client.post(LOGIN, {"email": provider_user.email, "password": PASSWORD})
    client.post(SECOND, {"passcode": PASSCODE})
    key = session_key(client)
    assert set(key) <= set(VALID_KEY_CHARS)
    assert len(key) * math.log2(len(VALID_KEY_CHARS)) >= 128

    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert store._get_new_session_key is SessionBase._get_new_session_key
    drawn: list[str] = []
    real_choice = secrets.choice

    def spy(sequence):
        drawn.append(real_choice(sequence))
        return drawn[-1]

    monkeypatch.setattr(secrets, "choice", spy)
    fresh = store()
    fresh.create()
    assert "".join(drawn) == fresh.session_key
    assert len(drawn) * math.log2(len(VALID_KEY_CHARS)) >= 128


# --- 3.3.2: SameSite on the session and CSRF cookies -------------------------------------------

PRODUCTION_COOKIES = """
import json
import django
django.setup()
from django.conf import settings
print(json.dumps({name: getattr(settings, name) for name in (
    "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE", "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY")}))
"""


def test_production_settings_make_both_cookies_samesite_lax_and_secure(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "carebridge.settings",
        "CAREBRIDGE_TESTING": "false",
        "CAREBRIDGE_DATA_DIR": str(tmp_path),
        "DEBUG": "false",
        "SECRET_KEY": "k" * 20 + "-production-secret-key-that-is-long-and-random-0123456789",
        "ALLOWED_HOSTS": "portal.example.org",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    for name in ("HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_COOKIES],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
    }


@pytest.mark.django_db
def test_the_cookies_a_log_in_sets_say_samesite_lax(provider_user):
    client = Client()
    page = client.get(LOGIN)
    assert page.cookies[settings.CSRF_COOKIE_NAME]["samesite"] == "Lax"
    response = client.post(LOGIN, {"email": provider_user.email, "password": PASSWORD})
    assert response.cookies[settings.SESSION_COOKIE_NAME]["samesite"] == "Lax"
    assert response.cookies[settings.SESSION_COOKIE_NAME]["httponly"]
    response = client.post(SECOND, {"passcode": PASSCODE})
    assert response.cookies[settings.SESSION_COOKIE_NAME]["samesite"] == "Lax"


# --- 6.2.6: password inputs are masked and say what they are ------------------------------------

CURRENT = {"password", "current_password"}


def secret_inputs(page: str) -> dict[str, dict[str, str]]:
    return {
        i.get("name", ""): i
        for i in Inputs(page).inputs
        if re.search(r"password|passcode", i.get("name", ""))
    }


def assert_masked(page: str, expected: set[str]) -> None:
    found = secret_inputs(page)
    assert set(found) == expected, found
    for name, attrs in found.items():
        assert attrs.get("type") == "password", (name, attrs)
        if "passcode" in name:
            # A password manager may keep the passcode too: nothing turns its help off.
            assert attrs.get("autocomplete", "") != "off", (name, attrs)
        else:
            wanted = "current-password" if name in CURRENT else "new-password"
            assert attrs.get("autocomplete") == wanted, (name, attrs)


def link_from_last_email(kind: str) -> str:
    found = re.search(rf"https?://[^/]+(/accounts/{kind}/[\w-]+/)", str(mail.outbox[-1].body))
    assert found is not None
    return found.group(1)


def opened_page(client: Client, door: str, name: str) -> str:
    response = client.get(door)
    page = reverse(name, kwargs={"token": LINK_OPENED})
    assert response["Location"] == page
    return client.get(page).content.decode()


@pytest.mark.django_db
def test_every_log_in_change_reset_and_set_up_page_masks_passwords_and_passcodes(
    provider_user, django_capture_on_commit_callbacks
):
    anonymous = Client()
    assert_masked(anonymous.get(LOGIN).content.decode(), {"password"})
    anonymous.post(LOGIN, {"email": provider_user.email, "password": PASSWORD})
    assert_masked(anonymous.get(SECOND).content.decode(), {"passcode"})

    council = make_council()
    newcomer, initial = new_broker(council, email="first@example.org")
    first = Client()
    first.post(LOGIN, {"email": newcomer.email, "password": initial})
    page = first.get(reverse("accounts:login_new_password")).content.decode()
    assert_masked(page, {"new_password", "confirm_password"})
    new = "Kestrel-Lantern-71"
    first.post(
        reverse("accounts:login_new_password"), {"new_password": new, "confirm_password": new}
    )
    page = first.get(reverse("accounts:login_new_passcode")).content.decode()
    assert_masked(page, {"new_passcode", "confirm_passcode"})

    own = client_for(provider_user)
    page = own.get(reverse("accounts:password_change")).content.decode()
    assert_masked(page, {"current_password", "new_password", "confirm_password"})
    page = own.get(reverse("accounts:passcode_change")).content.decode()
    assert_masked(page, {"current_password", "new_passcode", "confirm_passcode"})

    for purpose, name, expected in (
        ("password", "accounts:reset_password", {"new_password", "confirm_password"}),
        ("passcode", "accounts:reset_passcode", {"new_passcode", "confirm_passcode"}),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            services.reset_link_request(email=provider_user.email, purpose=purpose)
        door = link_from_last_email(f"reset/{purpose}")
        assert_masked(opened_page(Client(), door, name), expected)

    _user, _link, token = services.account_invite(
        by=None,
        email="invited@example.org",
        first_name="Imani",
        last_name="Okafor",
        role="broker",
        council=council,
    )
    door = reverse("accounts:set_up", kwargs={"token": token})
    assert_masked(
        opened_page(Client(), door, "accounts:set_up"), {"new_password", "confirm_password"}
    )


# --- 6.5.1: an authenticator's code works once ----------------------------------------------------


@pytest.mark.django_db
def test_an_authenticator_code_is_accepted_once_and_never_again(provider_user):
    device = services.authenticator_start(user=provider_user)
    confirming = str(totp(device.bin_key)).zfill(6)
    assert services.authenticator_confirm(user=provider_user, key=device.key, code=confirming)

    # The next time step's code (within the device's tolerance of one step) works once.
    fresh = str(totp(device.bin_key, drift=1)).zfill(6)
    first = services.login_check_second_step(user=provider_user, answer=fresh)
    assert first.outcome is Outcome.OK
    again = services.login_check_second_step(user=provider_user, answer=fresh)
    assert again.outcome is Outcome.WRONG
    # The code already spent on confirming the app is refused too.
    replay = services.login_check_second_step(user=provider_user, answer=confirming)
    assert replay.outcome is Outcome.WRONG


@pytest.mark.django_db
def test_a_replayed_authenticator_code_does_not_log_in(provider_user):
    device = services.authenticator_start(user=provider_user)
    code = str(totp(device.bin_key)).zfill(6)
    assert services.authenticator_confirm(user=provider_user, key=device.key, code=code)

    client = Client()
    client.post(LOGIN, {"email": provider_user.email, "password": PASSWORD})
    response = client.post(SECOND, {"code": code})
    assert response.status_code == 200
    assert "The code is not right" in response.content.decode()
    assert "_auth_user_id" not in client.session


# --- 6.5.3: codes and secrets from a CSPRNG ----------------------------------------------------

# Modules that may use the `random` module, and why: none of them makes a secret.
RANDOM_ALLOWED = {
    "carebridge/people/validators.py": "example NHS numbers for demo and test data, seeded",
    "carebridge/integrations/simulator/server.py": "the simulator's seeded faults",
}
NOT_PRODUCT = ("/tests/", "/migrations/", "carebridge/demo/")


def random_users(root: Path) -> set[str]:
    """Product modules that import the `random` module (or a name from it) other than
    `SystemRandom`, which reads the operating system's CSPRNG."""
    found = set()
    for path in sorted((root / "carebridge").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if any(part in f"/{relative}" for part in NOT_PRODUCT):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Import)
                and any(a.name == "random" or a.name.startswith("random.") for a in node.names)
            ) or (
                isinstance(node, ast.ImportFrom)
                and node.module == "random"
                and any(a.name != "SystemRandom" for a in node.names)
            ):
                found.add(relative)
    return found


def test_no_product_code_draws_from_the_random_module_except_the_listed_test_doubles():
    assert random_users(ROOT) == set(RANDOM_ALLOWED)


def test_the_random_module_check_finds_an_import(tmp_path):
    module = tmp_path / "carebridge" / "accounts" / "tokens.py"
    module.parent.mkdir(parents=True)
    module.write_text("from random import choice\n")
    (tmp_path / "carebridge" / "accounts" / "ok.py").write_text("from random import SystemRandom\n")
    (tmp_path / "carebridge" / "demo").mkdir()
    (tmp_path / "carebridge" / "demo" / "seed.py").write_text("import random\n")
    assert random_users(tmp_path) == {"carebridge/accounts/tokens.py"}


@pytest.mark.django_db
def test_an_authenticators_seed_comes_from_os_urandom(provider_user, monkeypatch):
    import django_otp.util

    monkeypatch.setattr(django_otp.util, "urandom", lambda n: bytes(range(n)))
    device = services.authenticator_start(user=provider_user)
    assert device.bin_key == bytes(range(20))


# --- 1.2.2: a directory feed's address is never a javascript: or data: link --------------------

HOSTILE = {
    "Thistlecombe Lunch Club": ("javascript:alert(document.cookie)", "data:text/html,<script>"),
    "Hensmoor Meals at Home": ("JaVaScRiPt:alert(1)", "vbscript:msgbox(1)"),
    "Digital Skills Café": (" javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD4="),
}
SAFE_SCHEMES = {"", "http", "https", "mailto", "tel"}


def hostile_feed(tmp_path: Path) -> Path:
    contents = d.feed()
    for service in contents["contents"]:
        if isinstance(service, dict) and service.get("name") in HOSTILE:
            service["url"], service["organization"]["website"] = HOSTILE[service["name"]]
    return d.write_feed(tmp_path, contents)


def unsafe_links(page: str) -> list[str]:
    """Links whose scheme (as a browser reads it: spaces and tabs ignored) is not a safe one."""
    return [
        href
        for href in Inputs(page).hrefs
        if urlsplit(re.sub(r"[\s\x00-\x1f]", "", href)).scheme.lower() not in SAFE_SCHEMES
    ]


@pytest.mark.django_db
def test_a_feeds_javascript_or_data_address_is_never_rendered_as_a_link(tmp_path):
    world = d.build()
    d.map_terms(world.council)
    log = d.import_feed(world.council, source=hostile_feed(tmp_path), by=world.officer)
    assert log.succeeded
    d.load_postcodes([("WB1 2AB", "52.953000", "-1.747000")])
    FrontDoorSettings.objects.create(council=world.council, is_open=True)

    officer = client_for(world.officer)
    for name in HOSTILE:
        service = DirectoryService.objects.get(council=world.council, name=name)
        # Dropped, or (where it looked like a bare host name) made an https address.
        assert urlsplit(service.url).scheme in ("", "https"), service.url
        page = officer.get(reverse("frontdoor:directory_service", args=[service.pk]))
        assert page.status_code == 200
        assert name in page.content.decode()
        assert unsafe_links(page.content.decode()) == []

    public = reverse("care:support", kwargs={"council": world.council.slug})
    page = client_for().get(f"{public}?needs=nutrition,community&postcode=WB1+2AB")
    text = page.content.decode()
    assert all(name in text for name in ("Thistlecombe Lunch Club", "Digital Skills Café"))
    assert unsafe_links(text) == []
    # A plain https address in the same feed is still a link.
    kept = DirectoryService.objects.get(council=world.council, name="Memory Café")
    assert kept.url.startswith("https://")
    page = officer.get(reverse("frontdoor:directory_service", args=[kept.pk])).content.decode()
    assert kept.url in Inputs(page).hrefs
