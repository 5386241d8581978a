"""Proofs for docs/security.md's logging rows: timestamps stored in UTC and logged with their
offset from UTC (16.2.2), and a new line in a logged path cannot forge a log line (16.4.1)."""

from __future__ import annotations

import datetime
import logging
import os
import re
import runpy
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from carebridge.audit.models import Event
from carebridge.audit.services import record
from carebridge.core.logs import GunicornLogger, RedactTokens

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
NGINX = ROOT / "deploy" / "nginx" / "carebridge.conf"

# As far from UTC as a clock can be: a time stored or logged in local time would be 14 hours out.
FAR_ZONE = "Pacific/Kiritimati"


@pytest.fixture
def far_local_time() -> Iterator[None]:
    """The process's local time zone (the host's, which gunicorn's clock reads) far from UTC."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = FAR_ZONE
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


# --- 16.2.2: timestamps stored in UTC, logged with their offset -----------------------------------


def as_utc(value: object) -> datetime.datetime:
    """A timestamp column's raw value as the database gave it (SQLite: text; PostgreSQL: a
    datetime in the connection's zone), in UTC."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    assert isinstance(value, datetime.datetime)
    if value.tzinfo is None:
        return value.replace(tzinfo=datetime.UTC)  # SQLite holds the UTC wall time
    assert value.utcoffset() == datetime.timedelta(0), value
    return value


@pytest.mark.django_db
def test_events_are_stored_in_utc_whatever_the_local_time_zone(settings, far_local_time):
    settings.TIME_ZONE = FAR_ZONE
    with timezone.override(FAR_ZONE):
        before = datetime.datetime.now(datetime.UTC)
        event = record(action="proof.clock")
        after = datetime.datetime.now(datetime.UTC)
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Event._meta.db_table)
        cursor.execute(f"SELECT at FROM {table} WHERE id = %s", [event.pk])  # noqa: S608
        [raw] = cursor.fetchone()
    stored = as_utc(raw)
    assert before - datetime.timedelta(seconds=1) <= stored <= after + datetime.timedelta(seconds=1)
    assert Event.objects.get(pk=event.pk).at == stored


def test_gunicorns_access_and_error_logs_give_each_time_its_offset_from_utc(far_local_time):
    conf = runpy.run_path(str(GUNICORN_CONF))
    assert "%(t)s" in conf["access_log_format"]
    assert conf["logger_class"] == "carebridge.core.logs.GunicornLogger"

    stamp = GunicornLogger.now(object.__new__(GunicornLogger))
    utc = datetime.datetime.now(datetime.UTC)
    parsed = datetime.datetime.strptime(stamp, "[%d/%b/%Y:%H:%M:%S %z]")
    assert parsed.utcoffset() == datetime.timedelta(hours=14)
    assert abs(parsed - utc) < datetime.timedelta(seconds=5)
    assert "%z" in GunicornLogger.datefmt


def test_nginxs_access_log_gives_each_time_its_offset_from_utc():
    text = NGINX.read_text(encoding="utf-8")
    [log_format] = re.findall(r"log_format carebridge ((?:'[^']*'\s*)+);", text)
    assert "$time_iso8601" in log_format and "$time_local" not in log_format


# --- 16.4.1: a new line in a logged value cannot forge a log line ----------------------------------


class Lines(logging.Handler):
    """What a console handler with the production settings' (default) format would write."""

    def __init__(self) -> None:
        super().__init__()
        self.written = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.written += self.format(record) + "\n"


@pytest.fixture
def request_log() -> Iterator[Lines]:
    logger = logging.getLogger("django.request")
    lines, redacting = Lines(), RedactTokens()
    logger.addHandler(lines)
    logger.addFilter(redacting)
    yield lines
    logger.removeFilter(redacting)
    logger.removeHandler(lines)


FORGED = "2026-12-07 09:00:00 INFO login.succeeded admin@council.example"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/nowhere%0d%0a{forged}/",
        "/nowhere%0a{forged}/",
        "/accounts/set-up/secret-token%0a{forged}/",
        "/nowhere%e2%80%a8{forged}/",  # U+2028, a line separator to some log readers
    ],
)
def test_a_new_line_in_a_requested_path_cannot_forge_a_log_line(request_log, path):
    response = Client().get(path.format(forged=FORGED.replace(" ", "%20")))
    assert response.status_code in (400, 404)
    written = request_log.written
    assert written.count("\n") == 1, written
    assert "\r" not in written and "\u2028" not in written
    [line] = written.splitlines()
    assert line.startswith(("Not Found: /", "Bad Request: /"))
    assert "INFO login.succeeded admin@council.example" in line  # on the request's own line
    assert "secret-token" not in line


def test_nginx_escapes_control_characters_in_its_access_log():
    text = NGINX.read_text(encoding="utf-8")
    # nginx writes a byte below 0x20 as \xXX unless a log_format says escape=none.
    assert re.findall(r"log_format\s+\w+\s+escape=", text) == []
    assert "log_format carebridge" in text
