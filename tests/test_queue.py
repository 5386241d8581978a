"""The background queue: Huey's SQLite queue by default, Redis when REDIS_URL is set."""

import os
import socket
import subprocess
import sys

import pytest

REDIS = ("127.0.0.1", 6379)


def redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


def run(code: str, tmp_path, **env: str) -> str:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "carebridge.settings",
        "CAREBRIDGE_TESTING": "false",
        "CAREBRIDGE_DATA_DIR": str(tmp_path),
        **env,
    }
    if "REDIS_URL" not in env:
        environment.pop("REDIS_URL", None)
    environment.pop("DATABASE_URL", None)  # a fresh SQLite file per test
    result = subprocess.run(
        [sys.executable, "-m", "carebridge", "shell", "-c", code],
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


ROUND_TRIP = """
from django.core.management import call_command
call_command("migrate", verbosity=0)
from huey.contrib.djhuey import HUEY
from django.core import mail
from carebridge.accounts.tasks import send_account_locked_email
from tests.support import make_council, make_user
from carebridge.accounts.models import User
from carebridge.core.calendar import now
user = make_user(council=make_council())
User.objects.filter(pk=user.pk).update(locked_at=now())
HUEY.flush()
send_account_locked_email(user.pk)
assert HUEY.pending_count() == 1, HUEY.pending_count()
task = HUEY.dequeue()
HUEY.execute(task)
print(type(HUEY).__name__, HUEY.pending_count())
"""


def test_without_configuration_tasks_go_through_a_sqlite_queue(tmp_path):
    out = run(ROUND_TRIP, tmp_path, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    assert out == "SqliteHuey 0"
    assert (tmp_path / "huey.sqlite3").exists()


def test_with_redis_url_tasks_go_through_redis(tmp_path):
    if not redis_answers():
        if os.environ.get("CI"):
            pytest.fail("Redis must answer on 127.0.0.1:6379 on CI")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    out = run(
        ROUND_TRIP,
        tmp_path,
        REDIS_URL="redis://127.0.0.1:6379/15",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    assert out == "RedisHuey 0"
