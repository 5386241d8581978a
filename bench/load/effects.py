"""The background effects of a load run, counted after it: every e-mail sent exactly once, every
outbox delivery made exactly once, every actuals period opened once, and each action the users
logged (LOAD_ACTIONS_LOG) written once. Lost and doubled are reported per kind.

run.py calls `count_effects` while the stack is still up; it runs this module as a command with
the stack's environment, so Django talks to the same database and Redis as the consumers:

    python -m bench.load.effects --actions-log A --mail-dir M --since 2026-12-07T12:00:00+00:00

Before counting it queues the periodic sweeps twice each (as two schedulers would) and waits
until Huey's queue is empty and no outbox row created since the start is pending.
"""

from __future__ import annotations

import argparse
import email
import json
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.support import ROOT, BenchError

DRAIN_TIMEOUT = 300.0  # seconds
REFERENCE_HEADER = "X-Carebridge-Reference"


def count_effects(
    env: dict[str, str], data_dir: Path, *, redis_db: int, actions_log: Path, since: datetime
) -> dict[str, Any]:
    """Count the run's effects in a child process that reaches the stack's database and Redis
    (`env`, `data_dir` and `redis_db` as given to stack(), while it is still up); `since` is
    when the load started."""
    from bench.load.stack import mail_dir

    command = [sys.executable, "-m", "bench.load.effects", "--actions-log", str(actions_log)]
    command += ["--mail-dir", str(mail_dir(data_dir)), "--since", since.isoformat()]
    python_path = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    completed = subprocess.run(
        command,
        cwd=ROOT,
        env={**env, "PYTHONPATH": python_path, "REDIS_URL": f"redis://127.0.0.1:6379/{redis_db}"},
        capture_output=True,
        text=True,
        timeout=DRAIN_TIMEOUT + 300,
        check=False,
    )
    if completed.returncode != 0:
        raise BenchError(f"counting the effects failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def lost_doubled(counts: dict[str, int]) -> dict[str, int]:
    """How many of the expected were seen 0 times (lost) and more than once (doubled)."""
    return {
        "expected": len(counts),
        "lost": sum(1 for seen in counts.values() if seen == 0),
        "doubled": sum(1 for seen in counts.values() if seen > 1),
    }


# --- Inside Django -----------------------------------------------------------------------------


def _queue_sweeps_twice() -> None:
    """Every periodic sweep that could repeat an effect, queued twice at once, as two schedulers
    would: the claims must keep each effect single."""
    from carebridge.actuals.tasks import open_actuals_periods
    from carebridge.integrations.tasks import (
        deliver_undelivered_case_updates,
        deliver_undelivered_crm,
    )
    from carebridge.notifications.tasks import send_unsent_notifications

    for task in (
        open_actuals_periods,
        send_unsent_notifications,
        deliver_undelivered_crm,
        deliver_undelivered_case_updates,
    ):
        task()
        task()


def _pending(since: datetime) -> dict[str, int]:
    from huey.contrib.djhuey import HUEY

    from carebridge.integrations.models import CaseUpdate, CrmDelivery
    from carebridge.notifications.models import Notification
    from carebridge.notifications.services import MAX_ATTEMPTS

    undelivered = {"delivered_at__isnull": True, "gave_up": False, "created_at__gte": since}
    return {
        "queue": HUEY.pending_count() + HUEY.scheduled_count(),
        "emails": Notification.objects.filter(
            sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS, created_at__gte=since
        ).count(),
        "crm": CrmDelivery.objects.filter(**undelivered).count(),
        "case_updates": CaseUpdate.objects.filter(**undelivered).count(),
    }


def drain(since: datetime, timeout: float = DRAIN_TIMEOUT) -> dict[str, Any]:
    """Wait until Huey's queue is empty and nothing created since `since` is pending, or until
    `timeout` seconds have passed (what is left then is reported, and counts as lost)."""
    started = time.monotonic()
    while True:
        pending = _pending(since)
        if not any(pending.values()):
            return {"seconds": round(time.monotonic() - started, 1), "left": pending}
        if time.monotonic() - started > timeout:
            return {"seconds": round(time.monotonic() - started, 1), "left": pending}
        time.sleep(1)


def read_mail(mail_dir: Path) -> tuple[Counter[str], int]:
    """Messages received by reference, and how many carried none (sent outside the outbox)."""
    seen: Counter[str] = Counter()
    unreferenced = 0
    for path in sorted(mail_dir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes())
        reference = message.get(REFERENCE_HEADER)
        if reference:
            seen[str(reference).strip()] += 1
        else:
            unreferenced += 1
    return seen, unreferenced


def count_emails(since: datetime, seen: Counter[str]) -> dict[str, Any]:
    """Each outbox e-mail made during the run against the messages the sink received."""
    from carebridge.notifications.models import Notification

    by_kind: dict[str, dict[str, int]] = defaultdict(dict)
    rows = Notification.objects.filter(created_at__gte=since).values_list("kind", "key")
    for kind, key in rows:
        by_kind[kind][key] = seen[key]
    known = {key for keys in by_kind.values() for key in keys}
    result: dict[str, Any] = {kind: lost_doubled(keys) for kind, keys in sorted(by_kind.items())}
    result["messages_without_an_outbox_row"] = sum(
        count for key, count in seen.items() if key not in known
    )
    return result


def count_deliveries(since: datetime) -> dict[str, Any]:
    """Outbox deliveries made during the run: each delivered (the row's one successful post)."""
    from carebridge.integrations.models import CaseUpdate, CrmDelivery

    result = {}
    for name, model in (("crm", CrmDelivery), ("case_updates", CaseUpdate)):
        rows = model.objects.filter(created_at__gte=since)
        result[name] = {
            "expected": rows.count(),
            "lost": rows.filter(delivered_at__isnull=True).count(),
            "gave_up": rows.filter(gave_up=True).count(),
        }
    return result


def count_periods() -> dict[str, int]:
    """Every council's periods up to today's, each opened exactly once."""
    from django.db.models import Count

    from carebridge.actuals.models import Period
    from carebridge.actuals.periods import period_bounds
    from carebridge.core.calendar import today
    from carebridge.organisations.models import Rulebook

    expected: dict[tuple[int, Any], int] = {}
    for rulebook in Rulebook.objects.all():
        current, _ = period_bounds(rulebook, today())
        start = rulebook.actuals_periods_from
        while start <= current:
            first, last = period_bounds(rulebook, start)
            expected[(rulebook.council_id, first)] = 0
            start = last + timedelta(days=1)
    opened = Period.objects.values("council_id", "start_date").annotate(n=Count("pk"))
    for row in opened:
        if (row["council_id"], row["start_date"]) in expected:
            expected[(row["council_id"], row["start_date"])] = row["n"]
    return lost_doubled({f"{council}:{start}": n for (council, start), n in expected.items()})


def read_actions(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _referral_events(pks: set[int], kinds: tuple[str, ...]) -> Counter[int]:
    from carebridge.referrals.models import ReferralEvent

    rows = ReferralEvent.objects.filter(referral_id__in=pks, kind__in=kinds)
    return Counter(rows.values_list("referral_id", flat=True))


def _confirmations(actions: list[dict[str, Any]]) -> dict[str, int]:
    from django.contrib.auth import get_user_model

    from carebridge.actuals.models import Confirmation

    providers = dict(get_user_model().objects.values_list("email", "provider_id"))
    wanted = {(action["pk"], providers.get(action["user"])) for action in actions}
    counts = {f"{period}:{provider}": 0 for period, provider in wanted}
    rows = Confirmation.objects.filter(period_id__in={period for period, _ in wanted})
    for period, provider in rows.values_list("period_id", "provider_id"):
        if (period, provider) in wanted:
            counts[f"{period}:{provider}"] += 1
    return counts


def _front_door(actions: list[dict[str, Any]], seen: Counter[str]) -> dict[str, Any]:
    """Each submitted request exists once, and its person's 'received' e-mail arrived once."""
    from carebridge.frontdoor.models import FrontDoorRequest

    references = [action["reference"] for action in actions if action.get("reference")]
    requests = dict(
        FrontDoorRequest.objects.filter(reference__in=references).values_list("reference", "pk")
    )
    made = {reference: int(reference in requests) for reference in references}
    received = {
        reference: seen[f"front-door-{requests[reference]}-received"]
        for reference in references
        if reference in requests
    }
    return {"requests": lost_doubled(made), "received_emails": lost_doubled(received)}


def count_actions(actions: list[dict[str, Any]], seen: Counter[str]) -> dict[str, Any]:
    """Each logged action's own write, found exactly once."""
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for action in actions:
        by_kind[action["kind"]].append(action)
    result: dict[str, Any] = {}
    sent = {int(action["pk"]) for action in by_kind["referral_sent"]}
    added = _referral_events(sent, ("added",))
    result["referral_sent"] = lost_doubled({str(pk): added[pk] for pk in sent})
    answered = {int(action["pk"]) for action in by_kind["referral_answered"]}
    answers = _referral_events(answered, ("accepted", "refused"))
    result["referral_answered"] = lost_doubled({str(pk): answers[pk] for pk in answered})
    result["actuals_confirmed"] = lost_doubled(_confirmations(by_kind["actuals_confirmed"]))
    result["frontdoor_submitted"] = _front_door(by_kind["frontdoor_submitted"], seen)
    return result


def effects(
    actions_log: Path, mail_dir: Path, since: datetime, timeout: float = DRAIN_TIMEOUT
) -> dict[str, Any]:
    _queue_sweeps_twice()
    drained = drain(since, timeout)
    seen, unreferenced = read_mail(mail_dir)
    return {
        "drain": drained,
        "actions": count_actions(read_actions(actions_log), seen),
        "emails": count_emails(since, seen),
        "emails_without_a_reference": unreferenced,
        "deliveries": count_deliveries(since),
        "periods": count_periods(),
    }


def totals(found: dict[str, Any]) -> dict[str, int]:
    """Lost and doubled over every count in the report."""
    total = {"lost": 0, "doubled": 0}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in total and isinstance(value, int):
                    total[key] += value
                else:
                    walk(value)

    walk({key: value for key, value in found.items() if key != "drain"})
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--actions-log", type=Path, required=True)
    parser.add_argument("--mail-dir", type=Path, required=True)
    parser.add_argument("--since", type=datetime.fromisoformat, required=True)
    parser.add_argument("--drain-timeout", type=float, default=DRAIN_TIMEOUT)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carebridge.settings")
    import django

    django.setup()
    found = effects(args.actions_log, args.mail_dir, args.since, args.drain_timeout)
    found["total"] = totals(found)
    print(json.dumps(found, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
