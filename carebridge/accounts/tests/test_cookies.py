"""The session and CSRF cookies (ASVS 3.3.1, 3.3.3): in production (HTTPS on) they are named
with the `__Host-` prefix, which browsers accept only when Secure, on Path=/ and without a
Domain, so no other host of the council's domain can set or widen them."""

import json
import os
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from tests.support import PASSCODE, PASSWORD, make_contract, make_council, make_provider, make_user

PRINT_COOKIE_SETTINGS = """
import json
import django
django.setup()
from django.conf import settings
print(json.dumps({
    name: getattr(settings, name)
    for name in (
        "SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_DOMAIN", "CSRF_COOKIE_DOMAIN", "SESSION_COOKIE_PATH", "CSRF_COOKIE_PATH",
        "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE",
    )
}))
"""


def cookie_settings(tmp_path, **environment: str) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "carebridge.settings",
        "CAREBRIDGE_TESTING": "false",
        "CAREBRIDGE_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "k" * 60,
        **environment,
    }
    env.pop("HTTPS", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(environment)
    result = subprocess.run(
        [sys.executable, "-c", PRINT_COOKIE_SETTINGS],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def test_in_production_the_cookies_are_host_prefixed_secure_on_the_root_without_a_domain(
    tmp_path,
):
    cookies = cookie_settings(tmp_path, DEBUG="false", ALLOWED_HOSTS="portal.example.org")
    assert cookies == {
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_DOMAIN": None,
        "CSRF_COOKIE_DOMAIN": None,
        "SESSION_COOKIE_PATH": "/",
        "CSRF_COOKIE_PATH": "/",
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
    }


def test_on_plain_http_the_cookies_keep_names_a_browser_accepts_there(tmp_path):
    # A __Host- cookie without Secure is dropped by browsers: development and the demo, on
    # plain HTTP, keep Django's names.
    cookies = cookie_settings(tmp_path, DEBUG="true")
    assert (cookies["SESSION_COOKIE_NAME"], cookies["CSRF_COOKIE_NAME"]) == (
        "sessionid",
        "csrftoken",
    )
    assert cookies["SESSION_COOKIE_SECURE"] is False


@pytest.mark.django_db
def test_a_log_in_over_https_sets_host_prefixed_cookies_the_browser_accepts(settings):
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    settings.CSRF_COOKIE_NAME = "__Host-csrftoken"
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    provider = make_provider()
    make_contract(make_council(), provider)
    user = make_user(provider=provider, role="read_only")
    client = Client(enforce_csrf_checks=True)
    login = reverse("accounts:login")
    page = client.get(login, secure=True)
    token = page.cookies["__Host-csrftoken"]
    response = client.post(
        login,
        {"email": user.email, "password": PASSWORD, "csrfmiddlewaretoken": token.value},
        secure=True,
        headers={"Referer": "https://testserver/accounts/login/"},
    )
    client.post(
        response["Location"],
        {"passcode": PASSCODE, "csrfmiddlewaretoken": token.value},
        secure=True,
        headers={"Referer": "https://testserver/accounts/login/second-step/"},
    )
    assert client.get("/", secure=True).status_code == 200
    session = client.cookies["__Host-sessionid"]
    for cookie in (token, session):
        # What a browser requires of a __Host- cookie before it keeps it.
        assert cookie["secure"] is True
        assert cookie["path"] == "/"
        assert not cookie["domain"]
