"""Proofs for docs/security.md's deployment rows: the API is refused, never redirected, over
plain HTTP (4.1.2); a new SECRET_KEY ends everyone's sessions, unless the old one is kept as a
fallback for a rolling change (7.4.5, 11.1.1); and every logger writes only where the logging
inventory says, in both LOG_FORMAT modes (16.2.3)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from carebridge.core.middleware import PLAIN_HTTP_API_ERROR
from carebridge.integrations.services import api_token_create
from tests.support import client_for, make_council, make_user

ROOT = Path(__file__).resolve().parent.parent
NGINX = ROOT / "deploy" / "nginx" / "carebridge.conf"
API = "/api/v1/referrals/"

# --- 4.1.2: only browsers' pages are redirected from HTTP to HTTPS ------------------------------

production_redirect = override_settings(SECURE_SSL_REDIRECT=True)


@pytest.mark.django_db
@production_redirect
def test_an_api_call_over_plain_http_is_refused_in_json_and_not_redirected():
    _token, key = api_token_create(council=make_council(), name="Case system", by=None)
    for path in (API, "/api/v1/provider/invoices/", "/api/v1/no-such-thing/"):
        response = Client().get(path, HTTP_AUTHORIZATION=f"Bearer {key}")
        assert response.status_code == 403, path
        assert "Location" not in response
        assert response["Content-Type"] == "application/json"
        assert response.json() == PLAIN_HTTP_API_ERROR
        assert "Use HTTPS" in response.json()["error"]["message"]
    posted = Client().post(API, "{}", content_type="application/json")
    assert posted.status_code == 403


@pytest.mark.django_db
@production_redirect
def test_the_same_api_call_over_https_is_answered():
    _token, key = api_token_create(council=make_council(), name="Case system", by=None)
    response = Client().get(API, HTTP_AUTHORIZATION=f"Bearer {key}", secure=True)
    assert response.status_code == 200
    assert Client().get(API, secure=True).status_code == 401, "the key is still required"


@pytest.mark.django_db
@production_redirect
def test_browsers_pages_over_plain_http_are_still_redirected():
    for path in ("/accounts/login/", "/", "/care-and-support/", "/apis/"):
        response = Client().get(path)
        assert response.status_code == 301, path
        assert response["Location"] == f"https://testserver{path}"


@pytest.mark.django_db
def test_without_the_redirect_development_serves_the_api_over_plain_http():
    _token, key = api_token_create(council=make_council(), name="Case system", by=None)
    assert Client().get(API, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_nginxs_port_80_refuses_the_api_with_the_same_body_and_redirects_the_rest():
    text = NGINX.read_text(encoding="utf-8")
    plain = text.split("server {", 2)[1]  # the first server block: port 80
    assert "listen 80;" in plain
    api = re.search(
        r'location /api/ \{\s*default_type application/json;\s*return 403 (".*");', plain
    )
    assert api, "port 80 answers /api/ with a JSON 403"
    assert json.loads(json.loads(api.group(1))) == PLAIN_HTTP_API_ERROR
    assert "return 301 https://$host$request_uri;" in plain.split("location / {", 1)[1]


# --- 7.4.5 and 11.1.1: a new SECRET_KEY ends every session; a fallback keeps them -------------

OLD_KEY = "old-" + "k" * 60
NEW_KEY = "new-" + "n" * 60


@pytest.mark.django_db
def test_a_new_secret_key_ends_everyones_sessions():
    with override_settings(SECRET_KEY=OLD_KEY, SECRET_KEY_FALLBACKS=[]):
        council = make_council()
        browsers = [client_for(make_user(council=council)) for _ in range(2)]
        assert all(b.get(reverse("home:home")).status_code == 200 for b in browsers)
    with override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[]):
        for browser in browsers:
            response = browser.get(reverse("home:home"))
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_the_old_key_as_a_fallback_keeps_sessions_through_a_rolling_change():
    with override_settings(SECRET_KEY=OLD_KEY, SECRET_KEY_FALLBACKS=[]):
        council = make_council()
        busy, idle = (client_for(make_user(council=council)) for _ in range(2))
        assert all(b.get(reverse("home:home")).status_code == 200 for b in (busy, idle))
    with override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[OLD_KEY]):
        # Opened by the old key, the session is carried over to the new one.
        assert busy.get(reverse("home:home")).status_code == 200
    # Once the fallback is dropped, a session used while it was kept goes on; one that was not
    # used meanwhile ends (docs/deploy.md: keep the fallback past the idle time-out).
    with override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[]):
        assert busy.get(reverse("home:home")).status_code == 200
        assert idle.get(reverse("home:home")).status_code == 302


def settings_in(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    """`code` run after django.setup() in a fresh interpreter (settings read the environment
    once), with the production settings and `env`."""
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "carebridge.settings", **env}
    for name in ("LOG_FORMAT", "SECRET_KEY_FALLBACKS", "CAREBRIDGE_TESTING", "HTTPS"):
        if name not in env:
            environment.pop(name, None)
    script = "import django\ndjango.setup()\n" + code
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_short_fallback_key_stops_the_start():
    result = settings_in({"SECRET_KEY_FALLBACKS": "short"}, "")
    assert result.returncode != 0
    assert "SECRET_KEY_FALLBACKS must be at least 50 characters" in result.stderr


# --- 16.2.3: logs go only to the documented destinations ----------------------------------------

# Every handler of every logger, after the settings' LOGGING (and the Huey consumer's own
# handler, which run_huey adds), as (logger, handler class, where it writes).
HANDLERS = """
import json, logging, sys
from django.conf import settings
from huey.consumer_options import ConsumerConfig
if not logging.getLogger("huey").handlers:  # as run_huey does
    ConsumerConfig(**settings.HUEY["consumer"]).setup_logger(logging.getLogger("huey"))
out = []
for name in ["root", *sorted(logging.root.manager.loggerDict)]:
    logger = logging.getLogger(None if name == "root" else name)
    for handler in getattr(logger, "handlers", []):
        stream = getattr(handler, "stream", None)
        where = {id(sys.stderr): "stderr", id(sys.stdout): "stdout"}.get(id(stream), repr(stream))
        if not isinstance(handler, logging.StreamHandler) or isinstance(handler, logging.FileHandler):
            where = getattr(handler, "baseFilename", None) or getattr(handler, "mailhost", "-")
        out.append([name, type(handler).__name__, where, logger.propagate])
print(json.dumps({"handlers": out, "admins": settings.ADMINS}))
"""


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_every_logger_writes_only_to_the_journal_in_both_formats(log_format):
    result = settings_in({"LOG_FORMAT": log_format}, HANDLERS)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    handlers = found["handlers"]
    # The inventory: the application log is standard error, which systemd sends to the journal
    # (the units set no StandardError, so the journal is their default); the security log too.
    # A library's NullHandler writes nowhere; Django's mail to ADMINS is below.
    quiet = {"AdminEmailHandler", "NullHandler"}
    streams = {(name, kind, where) for name, kind, where, _ in handlers if kind not in quiet}
    assert {where for _, _, where in streams} == {"stderr"}, streams
    assert {kind for _, kind, _ in streams} == {"StreamHandler"}
    assert {name for name, _, _ in streams} >= {"root", "carebridge.security", "huey"}
    # Django's own default also mails errors to ADMINS: there are none, so it sends nothing.
    assert found["admins"] == []
    # The security log and Huey's lines are written once, by their own handlers.
    propagates = {name: propagate for name, _, _, propagate in handlers}
    assert propagates["carebridge.security"] is False and propagates["huey"] is False


def test_gunicorns_logs_go_to_standard_output_and_error():
    config = (ROOT / "deploy" / "gunicorn.conf.py").read_text(encoding="utf-8")
    assert 'accesslog = "-"' in config and 'errorlog = "-"' in config
    for unit in ("carebridge-web.service", "carebridge-worker.service"):
        text = (ROOT / "deploy" / "systemd" / unit).read_text(encoding="utf-8")
        assert "StandardOutput=" not in text and "StandardError=" not in text, unit


# --- 13.4.1 and 13.2.2: what the guide deploys, and as whom --------------------------------------

GUIDE = ROOT / "docs" / "deploy.md"
CHECK = ROOT / "scripts" / "deploy-check.sh"


def test_the_guide_and_its_check_deploy_an_export_without_git():
    guide = GUIDE.read_text(encoding="utf-8")
    assert "git clone" not in guide and "git checkout" not in guide and "git fetch" not in guide
    assert guide.count("git archive --format=tar.gz") == 1
    assert guide.count("test ! -e $R/.git") == 2, "checked at install and at every release"
    check = CHECK.read_text(encoding="utf-8")
    assert 'git -C "$ROOT" archive' in check
    assert 'step "the release holds no source control metadata (.git)" no_git' in check


def test_the_application_role_gets_rows_only_and_every_unit_runs_unprivileged():
    sql = (ROOT / "deploy" / "postgres-roles.sql").read_text(encoding="utf-8")
    statements = [s for s in re.sub(r"--[^\n]*", "", sql).split(";") if ':"app"' in s]
    grants = [" ".join(s.split()) for s in statements if "GRANT" in s]
    assert grants == [
        'GRANT CONNECT ON DATABASE :"db" TO :"app"',
        'GRANT USAGE ON SCHEMA public TO :"app"',
        'ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT SELECT, INSERT, '
        'UPDATE, DELETE ON TABLES TO :"app"',
        'ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT USAGE, SELECT ON '
        'SEQUENCES TO :"app"',
    ]
    assert 'CREATE ROLE :"app" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT' in sql
    assert 'CREATE DATABASE :"db" OWNER :"owner"' in sql
    for unit in (ROOT / "deploy" / "systemd").glob("*.service"):
        text = unit.read_text(encoding="utf-8")
        assert "\nUser=carebridge\n" in text and "\nGroup=carebridge\n" in text, unit.name
        assert "NoNewPrivileges=true" in text and "ProtectSystem=strict" in text, unit.name
    # The application's DATABASE_URL is its own role; only the release's migrate is the owner's.
    guide = GUIDE.read_text(encoding="utf-8")
    assert "DATABASE_URL=postgres://carebridge@/carebridge\n" in guide
    assert guide.count("export DATABASE_URL=postgres://carebridge_owner@/carebridge;") == 1
