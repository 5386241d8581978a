import os
import subprocess
import sys


def test_check_deploy_reports_nothing_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "carebridge.settings",
        "CAREBRIDGE_TESTING": "false",
        "CAREBRIDGE_DATA_DIR": str(tmp_path),
        "DEBUG": "false",
        "SECRET_KEY": "k" * 20 + "-production-secret-key-that-is-long-and-random-0123456789",
        "ALLOWED_HOSTS": "portal.example.org",
        # Production shares its cache and queue in Redis (core.checks); checking makes no connection.
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        # Production scans uploads (check --deploy warns without it); only the setting is read.
        "CLAMD_ADDRESS": "unix:///run/clamav/clamd.ctl",
    }
    env.pop("HTTPS", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests in this process
    result = subprocess.run(
        [sys.executable, "-m", "carebridge", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_a_short_secret_key_fails_loudly(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "carebridge.settings",
        "CAREBRIDGE_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "too-short",
    }
    result = subprocess.run(
        [sys.executable, "-m", "carebridge", "check"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 characters" in result.stderr


def test_production_static_files_collect_without_missing_references(tmp_path):
    """The manifest storage refuses CSS that points at a file we do not ship (the crown crest)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "carebridge.settings",
        "CAREBRIDGE_TESTING": "false",
        "CAREBRIDGE_DATA_DIR": str(tmp_path),
        "STATIC_ROOT": str(tmp_path / "static"),
        "SECRET_KEY": "k" * 60,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "-m", "carebridge", "collectstatic", "--noinput"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "static" / "staticfiles.json").exists()
    assert "govuk-crest" not in (tmp_path / "static" / "app.css").read_text()
