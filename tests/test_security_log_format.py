"""LOG_FORMAT (ASVS 16.2.4): with `json`, every logger's lines (the application's and Django's
request log; not the Huey consumer's own handler) are one JSON object each, in UTC, tokens
redacted, like the security log's; the default keeps plain text; any other value fails loudly
at start. Each case starts a fresh interpreter, because the settings read the environment once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "Zq3xY9-set-up-secret"

LOGS = f"""
import logging
import django
django.setup()
logging.getLogger("carebridge.referrals").warning("Referral %s answered", 42)
logging.getLogger("django.request").warning("Not Found: /accounts/set-up/{TOKEN}/")
logging.getLogger("carebridge.notifications").error("Sending failed:\\nsecond line")
"""


def run(log_format: str | None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "carebridge.settings", "LOG_LEVEL": "INFO"}
    env.pop("LOG_FORMAT", None)
    if log_format is not None:
        env["LOG_FORMAT"] = log_format
    return subprocess.run(
        [sys.executable, "-c", LOGS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_json_makes_every_loggers_lines_json_objects_with_tokens_redacted():
    result = run("json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert [(e["logger"], e["level"]) for e in lines] == [
        ("carebridge.referrals", "WARNING"),
        ("django.request", "WARNING"),
        ("carebridge.notifications", "ERROR"),
    ]
    assert lines[0]["message"] == "Referral 42 answered"
    assert TOKEN not in result.stderr and "[redacted]" in lines[1]["message"]
    assert lines[2]["message"] == "Sending failed:\nsecond line", "one line, whatever it holds"
    assert all(e["time"].endswith("+00:00") for e in lines)


def test_the_default_keeps_plain_lines():
    result = run(None)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == "Referral 42 answered"
    assert TOKEN not in result.stderr


def test_another_format_fails_loudly():
    result = run("xml")
    assert result.returncode != 0
    assert "LOG_FORMAT must be text or json, not 'xml'" in result.stderr
