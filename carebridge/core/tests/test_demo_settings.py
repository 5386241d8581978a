"""The demo switch (CAREBRIDGE_DEMO): plain HTTP on loopback with outbound calls to loopback
allowed, and a refusal to start anywhere else. Settings are read once per process, so each case
imports them in a fresh interpreter."""

import os
import subprocess
import sys

import pytest

READ = (
    "from django.conf import settings as s; "
    "print(s.DEBUG, s.HTTPS, s.OUTBOUND_ALLOW_LOOPBACK, s.SESSION_COOKIE_SECURE, s.EMAIL_BACKEND)"
)


def _settings(tmp_path, **overrides: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "carebridge.settings",
        "CAREBRIDGE_TESTING": "false",
        "CAREBRIDGE_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "k" * 60,
    }
    for name in ("DEBUG", "HTTPS", "ALLOWED_HOSTS", "EMAIL_BACKEND", "CAREBRIDGE_DEMO"):
        env.pop(name, None)
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {READ}"],
        env=env,
        capture_output=True,
        text=True,
    )


def test_it_serves_the_demo_on_plain_http_with_loopback_reachable(tmp_path):
    result = _settings(tmp_path, CAREBRIDGE_DEMO="true")

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == [
        "False",
        "False",
        "True",
        "False",
        "django.core.mail.backends.console.EmailBackend",
    ]


def test_production_never_reaches_loopback(tmp_path):
    result = _settings(tmp_path, ALLOWED_HOSTS="portal.example.org")

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == [
        "False",
        "True",
        "False",
        "True",
        "django.core.mail.backends.smtp.EmailBackend",
    ]


def test_it_refuses_the_demo_with_https_on(tmp_path):
    result = _settings(tmp_path, CAREBRIDGE_DEMO="true", HTTPS="true")

    assert result.returncode != 0
    assert "CAREBRIDGE_DEMO serves plain HTTP on loopback only" in result.stderr


@pytest.mark.parametrize("hosts", ["portal.example.org", "127.0.0.1,portal.example.org", "*", ""])
def test_it_refuses_the_demo_for_a_host_beyond_loopback(tmp_path, hosts):
    result = _settings(tmp_path, CAREBRIDGE_DEMO="true", ALLOWED_HOSTS=hosts)

    assert result.returncode != 0
    assert "CAREBRIDGE_DEMO serves plain HTTP on loopback only" in result.stderr
