"""The background effects of a load run, counted after it: every e-mail sent exactly once, every
outbox delivery (case updates, CRM pushes) taken exactly once by the simulator it was posted
to, every actuals period opened once, and each action the users logged (LOAD_ACTIONS_LOG)
written once. Lost and doubled are reported per kind.

run.py calls `count_effects` while the stack is still up; it runs this module as a command with
the stack's environment, so Django talks to the same database and Redis as the consumers:

    python -m bench.load.effects --actions-log A --mail-dir M --received R \
        --since 2026-12-07T12:00:00+00:00

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

# Seconds: long enough for a delivery that failed twice, whose tries come 1 and then 5 minutes
# later (integrations.delivery.RETRY_DELAYS).
DRAIN_TIMEOUT = 480.0
REFERENCE_HEADER = "X-Carebridge-Reference"


def count_effects(
    env: dict[str, str], data_dir: Path, *, redis_db: int, actions_log: Path, since: datetime
) -> dict[str, Any]:
    """Count the run's effects in a child process that reaches the stack's database and Redis
    (`env`, `data_dir` and `redis_db` as given to stack(), while it is still up); `since` is
    when the load started."""
    from bench.load.stack import mail_dir, simulator_dir

    command = [sys.executable, "-m", "bench.load.effects", "--actions-log", str(actions_log)]
    command += ["--mail-dir", str(mail_dir(data_dir)), "--since", since.isoformat()]
    command += ["--received", str(simulator_dir(data_dir) / "received.jsonl")]
    python_path = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    child_env = {
        **env,
        "PYTHONPATH": python_path,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "REDIS_URL": f"redis://127.0.0.1:6379/{redis_db}",
    }
    completed = subprocess.run(
        command,
        cwd=ROOT,
        env=child_env,
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


def read_received(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Every post the simulator answered (bench/load/connect.py), by receiver."""
    by_peer: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in read_actions(path):
        by_peer[line["peer"]].append(line)
    return by_peer


# What each receiver answers when it takes a post, and what a repeat of a key it took.
TAKEN_STATUS = {"case_updates": 201, "crm": 200}


def receiver_counts(rows: dict[str, Any], posts: list[dict[str, Any]], peer: str) -> dict[str, Any]:
    """One outbox's rows made during the run (key to delivered_at) against the posts its
    receiver answered, as bench/deliveries.py counts them: lost is a row whose key the receiver
    never took, doubled a key taken more than once; a repeat the receiver answered "duplicate"
    is no double when the product marked the row delivered (it then stops sending it)."""
    taken = Counter(
        post["key"] for post in posts if post["status"] == TAKEN_STATUS[peer] and not post["error"]
    )
    repeats = [post["key"] for post in posts if post["error"] == "duplicate"]
    refused = Counter(post["error"] for post in posts if post["error"] not in {"", "duplicate"})
    # A repeat the outbox did not mark delivered is one it would go on sending: a double.
    unmarked_repeats = {key for key in repeats if key in rows and rows[key] is None}
    return {
        "expected": len(rows),
        "lost": sum(1 for key in rows if taken[key] == 0),
        "doubled": sum(1 for key in rows if taken[key] > 1 or key in unmarked_repeats),
        "delivered_by_the_outbox": sum(1 for at in rows.values() if at is not None),
        "taken_not_marked_delivered": sum(1 for key, at in rows.items() if taken[key] and not at),
        "repeats_answered_duplicate": len(repeats),
        "repeats_not_marked_delivered": sum(1 for key in repeats if rows.get(key) is None),
        "refused_by_the_receiver": dict(refused),
        "taken_without_an_outbox_row": sum(n for key, n in taken.items() if key not in rows),
    }


def count_deliveries(since: datetime, received: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Each CRM push and case update made during the run, counted where it was posted."""
    from carebridge.integrations.models import CaseUpdate, CrmDelivery

    result = {}
    for peer, model in (("case_updates", CaseUpdate), ("crm", CrmDelivery)):
        rows = dict(model.objects.filter(created_at__gte=since).values_list("key", "delivered_at"))
        result[peer] = receiver_counts(rows, received[peer], peer)
    # A push is one per request and event whatever its key: two keys taken for one would be a
    # double the key check cannot see.
    crm_taken = Counter(
        (post["request"], post["event"]) for post in received["crm"] if not post["error"]
    )
    result["crm"]["doubled"] += sum(1 for n in crm_taken.values() if n > 1)
    return result


def _taken_keys(received: dict[str, list[dict[str, Any]]], peer: str) -> Counter[str]:
    return Counter(
        post["key"]
        for post in received[peer]
        if post["status"] == TAKEN_STATUS[peer] and not post["error"]
    )


def _answers_delivered(
    actions: list[dict[str, Any]], received: dict[str, list[dict[str, Any]]]
) -> dict[str, int]:
    """Each logged answer to a referral the council's system sent (it has an external id):
    its "accepted" or "refused" update, taken by the system once."""
    from carebridge.integrations.models import CaseUpdate
    from carebridge.referrals.models import Referral

    pks = {int(action["pk"]) for action in actions}
    from_system = set(
        Referral.objects.filter(pk__in=pks).exclude(external_id="").values_list("pk", flat=True)
    )
    keys: dict[int, list[str]] = {pk: [] for pk in from_system}
    rows = CaseUpdate.objects.filter(referral_id__in=from_system, event__in=("accepted", "refused"))
    for referral, key in rows.values_list("referral_id", "key"):
        keys[referral].append(key)
    taken = _taken_keys(received, "case_updates")
    return {str(pk): sum(taken[key] for key in found) for pk, found in keys.items()}


def _requests_pushed(
    actions: list[dict[str, Any]], received: dict[str, list[dict[str, Any]]]
) -> dict[str, int]:
    """Each logged front-door request: its "submitted" push, taken by the CRM once."""
    from carebridge.frontdoor.models import FrontDoorRequest
    from carebridge.integrations.crm import crm_delivery_key

    references = [action["reference"] for action in actions if action.get("reference")]
    requests = FrontDoorRequest.objects.filter(reference__in=references)
    taken = _taken_keys(received, "crm")
    counts = dict.fromkeys(references, 0)
    for reference, pk in requests.values_list("reference", "pk"):
        counts[reference] = taken[crm_delivery_key(pk, "submitted")]
    return counts


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


def _confirmations(actions: list[dict[str, Any]], since: datetime) -> dict[str, int]:
    """Each logged confirmation is backed by a Confirmation row made since the load began, and
    there are never more rows than confirmations. A provider may confirm a period again (the next
    user count's user has the same log-in): after a change that is a new row; with nothing
    changed since (its five edits put back what was confirmed, or found no row it could change)
    the product answers with the same confirmation, by design (`actuals_confirm`), which is
    counted apart as `again_unchanged`, not as lost."""
    from django.contrib.auth import get_user_model

    from carebridge.actuals.models import Confirmation

    providers = dict(get_user_model().objects.values_list("email", "provider_id"))
    logged = Counter((int(action["pk"]), providers.get(action["user"])) for action in actions)
    rows = Confirmation.objects.filter(
        period_id__in={period for period, _ in logged}, confirmed_at__gte=since
    )
    made = Counter(pair for pair in rows.values_list("period_id", "provider_id") if pair in logged)
    return {
        "expected": sum(logged.values()),
        "lost": sum(1 for pair in logged if made[pair] == 0),
        "doubled": sum(max(0, made[pair] - times) for pair, times in logged.items()),
        "again_unchanged": sum(
            times - made[pair] for pair, times in logged.items() if 0 < made[pair] < times
        ),
    }


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


def count_actions(
    actions: list[dict[str, Any]], seen: Counter[str], since: datetime
) -> dict[str, Any]:
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
    result["actuals_confirmed"] = _confirmations(by_kind["actuals_confirmed"], since)
    result["frontdoor_submitted"] = _front_door(by_kind["frontdoor_submitted"], seen)
    return result


def count_actions_delivered(
    actions: list[dict[str, Any]], received: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    """What the actions log says happened that the council's systems must have been told."""
    answered = [action for action in actions if action["kind"] == "referral_answered"]
    submitted = [action for action in actions if action["kind"] == "frontdoor_submitted"]
    return {
        "answers_to_the_case_system": lost_doubled(_answers_delivered(answered, received)),
        "requests_to_the_crm": lost_doubled(_requests_pushed(submitted, received)),
    }


def effects(
    actions_log: Path,
    mail_dir: Path,
    received_log: Path,
    since: datetime,
    timeout: float = DRAIN_TIMEOUT,
) -> dict[str, Any]:
    _queue_sweeps_twice()
    drained = drain(since, timeout)
    seen, unreferenced = read_mail(mail_dir)
    received = read_received(received_log)
    actions = read_actions(actions_log)
    return {
        "drain": drained,
        "actions": count_actions(actions, seen, since),
        "actions_delivered": count_actions_delivered(actions, received),
        "emails": count_emails(since, seen),
        "emails_without_a_reference": unreferenced,
        "deliveries": count_deliveries(since, received),
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
    parser.add_argument("--received", type=Path, required=True)
    parser.add_argument("--since", type=datetime.fromisoformat, required=True)
    parser.add_argument("--drain-timeout", type=float, default=DRAIN_TIMEOUT)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    found = effects(args.actions_log, args.mail_dir, args.received, args.since, args.drain_timeout)
    found["total"] = totals(found)
    print(json.dumps(found, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
