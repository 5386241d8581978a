"""The load test's journeys are real: each locust user class of bench/load/locustfile.py runs its
tasks once against a live server with a small seed_scale, every request answers as expected,
the actions log gets its lines, and the server sees each user's own loopback address.

locust is an optional dependency (`pip install -e '.[load]'`), which CI does not install: without
it this test is skipped. Run it with `.venv/bin/pytest tests/test_load_journeys.py -q`.
The users run in a subprocess: locust patches the standard library for gevent on import, which
the live server's thread in this process must not be.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from carebridge.accounts.models import User
from carebridge.audit.models import Event
from carebridge.demo.scale import seed_scale

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.skipif(
        importlib.util.find_spec("locust") is None,
        reason="locust is not installed (an optional dependency: pip install -e '.[load]')",
    ),
    pytest.mark.django_db(transaction=True),
]

# Runs in the subprocess: each class's on_start and every task once, then what was requested.
RUN_ONCE = """
import json, sys
sys.path[:0] = [sys.argv[2], sys.argv[2] + "/bench/load"]
from locust.env import Environment
import locustfile
classes = [getattr(locustfile, name) for name in sys.argv[3].split(",")]
environment = Environment(user_classes=classes, host=sys.argv[1])
environment.create_local_runner()
stopped = []
for cls in classes:
    cls.host = sys.argv[1]
    user = cls(environment)
    try:
        user.on_start()
        for task in cls.tasks:
            task(user)
    except Exception as error:
        stopped.append(f"{cls.__name__}: {error!r}")
print(json.dumps({
    "steps": {name: entry.num_requests for (name, _), entry in environment.stats.entries.items()},
    "errors": [f"{e.name}: {e.error}" for e in environment.stats.errors.values()],
    "stopped": stopped,
}))
"""


def _seed() -> None:
    """A small county: a few providers with their own log-ins where seed_scale makes them."""
    sizes: dict[str, Any] = {
        "clients": 120,
        "pending_referrals": 12,
        "contract_documents": 40,
        "actuals_weeks": 1,
        "front_door_requests": 0,
        "directory_services": 5,
    }
    if "provider_logins" in inspect.signature(seed_scale).parameters:
        sizes |= {"providers": 6, "provider_logins": 2}
    seed_scale(**sizes)


def _run(live_server: Any, tmp_path: Path, classes: list[str]) -> tuple[dict[str, Any], list]:
    log = tmp_path / "actions.jsonl"
    logins = User.objects.filter(email__regex=r"^provider[0-9]{4}@scale").count()
    env = {
        "PATH": "/usr/bin:/bin",
        "LOAD_ACTIONS_LOG": str(log),
        "LOAD_PROVIDER_LOGINS": str(logins),
        "LOAD_ADDRESS_OCTET": "77",
        "LOAD_THINK": "0,0",
    }
    completed = subprocess.run(
        [sys.executable, "-c", RUN_ONCE, live_server.url, str(ROOT), ",".join(classes)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    lines = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return result, lines


def test_it_runs_every_journey_once_without_an_error(live_server, tmp_path):
    _seed()
    classes = ["HealthProbe", "ProviderWeek", "ProviderReferrals", "Broker", "Resident"]

    result, lines = _run(live_server, tmp_path, classes)

    assert result["stopped"] == []
    assert result["errors"] == []
    for step in (
        "healthz",
        "provider: home",
        "provider: actuals week",
        "provider: save five rows",
        "provider: exceptions",
        "provider: confirm",
        "provider: confirmed",
        "provider: pending referrals",
        "provider: referral",
        "broker: send referral",
        "resident: answer",
        "resident: submit",
    ):
        assert result["steps"].get(step), step
    kinds = {line["kind"] for line in lines}
    assert kinds == {
        "actuals_confirmed",
        "referral_answered",
        "referral_sent",
        "frontdoor_submitted",
    }
    for line in lines:
        assert isinstance(line["user"], str) and line["user"]
        assert isinstance(line["pk"], int) or line["kind"] == "frontdoor_submitted"
    answered = next(line for line in lines if line["kind"] == "referral_answered")
    assert answered["answer"] in {"accept", "decline"}
    # The server saw the users' own addresses (a referral page's view of a person is audited
    # with the address it came from).
    addresses = set(Event.objects.values_list("ip_address", flat=True))
    assert any(str(a).startswith("127.77.") for a in addresses if a)


def test_a_payments_officer_looks_at_the_runs(live_server, tmp_path):
    _seed()
    if not User.objects.filter(email="payments@scale.example").exists():
        pytest.skip("seed_scale makes no payments@scale.example log-in yet")

    result, _ = _run(live_server, tmp_path, ["PaymentsOfficer"])

    assert result["stopped"] == [] and result["errors"] == []
    assert result["steps"]["payments: runs"] == 1
    assert result["steps"]["payments: prepare run"] == 1
