"""Carebridge's delivery benchmark: every change to a referral reaches the council's
case-management system once, in order, through the outbox (integrations/case_updates.py and
integrations/delivery.py), against the simulator's case-management system over real HTTP.

Run from the project root with the project's virtualenv (Redis on 127.0.0.1:6379 for the lag):

    .venv/bin/python bench/deliveries.py [--events 10000] [--lag-changes 400]
                                         [--database-url postgres://postgres@127.0.0.1:5432/postgres]

1. Faults: the simulator fails 30 % of requests at random (`failure_rate`: 500, nothing done)
   and 10 % more are taken and then answered 500 (`after_rate`: the sender cannot tell, so it
   sends again, which is what a duplicate looks like). `--events` changes are made through the
   referral services over `--events / 5` referrals (accepted, delayed twice, updated, actuals),
   taking turns between referrals. Each change's own task runs in this process when the change
   commits (Huey in immediate mode), and the tries after a failure are made by repeated sweeps
   (`case_updates_give_up` and `case_updates_due` a day ahead, so every wait is over, then
   `case_update_attempt` for each due row, as the periodic task does). When nothing is due,
   what was given up after MAX_ATTEMPTS failed tries is sent again as support would
   (`case_update_retry`), and the sweeps go on. Counted: changes, rows queued, rows the system
   took, lost (a change the system never took: must be 0), keys the system took twice (0),
   posts out of sequence (0), referrals whose updates the system holds out of order (0), the
   repeats the system answered "duplicate" (the cost of `after_rate`), rows given up and sent
   again, requests and seconds.
2. Lag: on a healthy simulator, with a real Huey consumer (`carebridge run_huey`, RedisHuey on
   `--redis-url`, a database of Redis of its own so no other consumer takes the tasks, DEBUG on
   so that it may post to the simulator on loopback) in a separate process, `--lag-changes`
   changes (an acceptance then at once a delay, for half as many referrals) made at about
   `--lag-rate` a second; the lag of each is from the moment its change committed (the service
   returned) to the moment the simulator took it, both on this process's monotonic clock. The
   issue asks for a p95 under 5 s.

Like bench/actuals.py it works in a temporary data directory (SQLite), or in a PostgreSQL
database it creates and drops itself; results go to bench/results/deliveries-<database>.json.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import math
import os
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.actuals import _database_version, _start_django, run_and_save  # noqa: E402
from bench.server import PostgresDatabase, product_environment, run_command  # noqa: E402
from bench.support import BenchError  # noqa: E402

EVENTS = 10000
EVENTS_PER_REFERRAL = 5  # accepted, delayed, delayed, updated, actuals
FAILURE_RATE = 0.3
AFTER_RATE = 0.1
LAG_CHANGES = 400
LAG_RATE = 20.0
LAG_TARGET_SECONDS = 5.0
REDIS_URL = "redis://127.0.0.1:6379/13"
# Support sends given-up rows again at most this many times before the run calls them lost.
SUPPORT_ROUNDS = 5
CONSUMER_START_SECONDS = 60.0
LAG_WAIT_SECONDS = 120.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=EVENTS, help=f"changes made ({EVENTS})")
    parser.add_argument("--failure-rate", type=float, default=FAILURE_RATE)
    parser.add_argument("--after-rate", type=float, default=AFTER_RATE)
    parser.add_argument("--seed", type=int, default=20, help="the simulator's faults' seed")
    parser.add_argument(
        "--lag-changes", type=int, default=LAG_CHANGES, help=f"changes timed ({LAG_CHANGES})"
    )
    parser.add_argument(
        "--lag-rate", type=float, default=LAG_RATE, help=f"changes a second ({LAG_RATE:g})"
    )
    parser.add_argument(
        "--redis-url", default=REDIS_URL, help=f"the Huey consumer's Redis ({REDIS_URL})"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="a PostgreSQL server (postgres://user@host:port/postgres) to create the bench "
        "database on; default: $DATABASE_URL, else SQLite in the temporary data directory",
    )
    parser.add_argument("--output", type=Path, default=None, help="JSON results file")
    args = parser.parse_args(argv)
    if args.events < EVENTS_PER_REFERRAL or args.lag_changes < 2 or args.lag_rate <= 0:
        parser.error(f"--events >= {EVENTS_PER_REFERRAL}, --lag-changes >= 2, --lag-rate > 0")
    return args


# --- The council, its system and its referrals ---------------------------------------------------


@dataclass
class World:
    council: Any
    provider: Any
    district: Any
    carer: Any
    peer: Any
    sim: Any


def _build_world() -> World:
    from carebridge.accounts import services as accounts
    from carebridge.core.permissions import Role
    from carebridge.integrations.models import CaseSystem
    from carebridge.integrations.simulator import Faults, Simulator
    from carebridge.integrations.simulator.case_management import CaseManagement
    from carebridge.organisations import services as organisations

    council = organisations.council_create(name="Bench Deliveries Council", slug="bench-deliveries")
    provider = organisations.provider_create(name="Bench Deliveries Care", postcode="M1 1AA")
    organisations.contract_create(
        council=council,
        provider=provider,
        reference="BENCH-DELIVERIES",
        contract_type="spot",
        start_date=datetime.date(2026, 4, 1),
    )
    district = organisations.district_create(council=council, name="Bench District")
    carer, _ = accounts.account_create(
        by=None,
        email="carer@bench-deliveries.example",
        first_name="Jo",
        last_name="Carer",
        role=Role.SUPER_USER_ACTUALS,
        council=None,
        provider=provider,
    )
    peer = CaseManagement(api_key="bench-key", signing_secret="bench-signing-secret")  # noqa: S106
    sim = Simulator(peer).start()
    sim.faults = Faults(seed=None)
    CaseSystem.objects.create(
        council=council,
        base_url=f"{sim.url}/case-management",
        api_key=peer.api_key,
        signing_secret=peer.signing_secret,
    )
    return World(council, provider, district, carer, peer, sim)


def _referrals(world: World, count: int, first: int) -> list[Any]:
    """`count` pending referrals the system sent, received five days ago (so that each first
    visit, update and actuals can be in the past)."""
    from carebridge.core.calendar import now
    from carebridge.people import services as people
    from carebridge.referrals.services import referral_create

    received = now() - datetime.timedelta(days=5)
    made = []
    for number in range(first, first + count):
        external_id = f"CM-{number:06d}"
        world.peer.add_referral({"external_id": external_id})
        person = people.service_user_create(
            council=world.council,
            by=None,
            ss_ref=f"BD{number:06d}",
            first_name="Maisy",
            last_name=f"Goddard{number}",
            date_of_birth=datetime.date(1940, 4, 23),
            postcode="NG22 9TE",
            address_line_1="44 Whinney Lane",
            town="Newark",
            district=world.district,
        )
        made.append(
            referral_create(
                council=world.council,
                provider=world.provider,
                district=world.district,
                service_user=person,
                by=None,
                received_at=received,
                postcode_confirmed=True,
                external_id=external_id,
                source="hospital",
                hospital="Kings Mill",
                ward="Ward 12",
                consent_to_share=True,
                requested_start_date=received.date(),
                support_summary="Help to wash, dress and prepare meals.",
                carers_required=1,
                visits_per_day=3,
                worker_name="Sam Broker",
                worker_team="Hospital discharge team",
                completed_on=received.date(),
            )
        )
    return made


def _change(world: World, referral: Any, step: int) -> Any:
    """The referral's `step`th answer (0 to 4), through the referral services."""
    from carebridge.core.calendar import now, to_london
    from carebridge.referrals import services

    carer = world.carer
    today = to_london(now()).date()
    booked = now() - datetime.timedelta(days=4)
    if step == 0:
        return services.referral_accept(referral=referral, by=carer, first_visit_at=booked)
    if step in (1, 2):
        later = booked + datetime.timedelta(hours=12 * step)
        return services.referral_delay(referral=referral, by=carer, first_visit_at=later)
    if step == 3:
        return services.referral_update(
            referral=referral,
            by=carer,
            care_start_date=today,
            predicted_end_date=None,
            terminated_within_72_hours=False,
            needs_changed=False,
            needs_change_details="",
            completed_by="Jo Carer",
            completed_on=today,
        )
    from decimal import Decimal

    return services.referral_send_actuals(
        referral=referral,
        by=carer,
        start_date=today,
        end_date=today,
        visits_delivered=6,
        hours_delivered=Decimal("7.50"),
        carers_at_start=1,
        carers_at_end=1,
    )


# --- 1. Every change delivered once, in order, through faults ----------------------------------


def _sweep_until_done(world: World) -> dict[str, int]:
    """Sweep a day ahead until nothing is due; then support sends what was given up again."""
    from carebridge.core.calendar import now
    from carebridge.integrations.case_updates import (
        case_update_attempt,
        case_update_retry,
        case_updates_due,
        case_updates_give_up,
    )
    from carebridge.integrations.models import CaseUpdate

    sweeps = given_up = sent_again = rounds = 0
    while True:
        ahead = now() + datetime.timedelta(days=1)
        case_updates_give_up(ahead)
        due = case_updates_due(ahead)
        if due:
            sweeps += 1
            for pk in due:
                case_update_attempt(pk)
            continue
        # Given up by its last failed try, or by the sweep: either way support sees it.
        stuck = list(CaseUpdate.objects.filter(delivered_at__isnull=True, gave_up=True))
        given_up += len(stuck)
        if not stuck or rounds == SUPPORT_ROUNDS:
            break
        rounds += 1
        for row in stuck:
            sent_again += case_update_retry(update=row, by=None)
    return {"sweeps": sweeps, "given_up": given_up, "sent_again_by_support": sent_again}


def measure_faults(args: argparse.Namespace, world: World) -> dict[str, Any]:
    from huey.contrib.djhuey import HUEY

    from carebridge.integrations.models import CaseUpdate
    from carebridge.referrals.models import ReferralEvent

    # Each change's task runs here as its transaction commits; a retry it schedules is left
    # in memory, since the sweeps (a day ahead) make every retry.
    HUEY.immediate = True
    faults = world.sim.faults
    faults.failure_rate, faults.after_rate = args.failure_rate, args.after_rate
    faults._random.seed(args.seed)
    count = args.events // EVENTS_PER_REFERRAL
    print(f"bench: making {count:,} referrals the council's system sent", flush=True)
    referrals = _referrals(world, count, first=1)
    requests_before = world.sim.requests
    print(
        f"bench: {count * EVENTS_PER_REFERRAL:,} changes, the simulator failing "
        f"{args.failure_rate:.0%} and taking then failing {args.after_rate:.0%}",
        flush=True,
    )
    started = time.perf_counter()
    for step in range(EVENTS_PER_REFERRAL):
        referrals = [_change(world, referral, step) for referral in referrals]
    changes_seconds = time.perf_counter() - started
    swept = _sweep_until_done(world)
    seconds = time.perf_counter() - started
    faults.failure_rate = faults.after_rate = 0.0
    HUEY.immediate = False

    ids = [r.pk for r in referrals]
    changes = ReferralEvent.objects.filter(referral_id__in=ids).exclude(kind="added").count()
    rows = list(CaseUpdate.objects.filter(referral_id__in=ids).values_list("key", "delivered_at"))
    peer = world.peer
    taken_keys = collections.Counter(update["key"] for update in peer.updates)
    sequences: dict[str, list[int]] = collections.defaultdict(list)
    for update in peer.updates:
        sequences[update["external_id"]].append(update["sequence"])
    unordered = sum(1 for seq in sequences.values() if seq != list(range(1, len(seq) + 1)))
    return {
        "referrals": count,
        "changes": changes,
        "rows_queued": len(rows),
        "rows_delivered": sum(1 for _key, delivered in rows if delivered is not None),
        "taken_by_the_system": len(peer.updates),
        "lost": sum(1 for key, _delivered in rows if key not in taken_keys)
        + max(0, changes - len(rows)),
        "taken_twice": sum(1 for n in taken_keys.values() if n > 1),
        "posts_out_of_sequence": len(peer.out_of_order),
        "referrals_out_of_order": unordered,
        "repeats_answered_duplicate": peer.duplicate_posts,
        "bad_signatures": peer.bad_signatures,
        "requests": world.sim.requests - requests_before,
        "failure_rate": args.failure_rate,
        "after_rate": args.after_rate,
        "seconds_making_changes": round(changes_seconds, 1),
        "seconds": round(seconds, 1),
        **swept,
    }


# --- 2. The lag with a real Huey consumer ------------------------------------------------------


def _start_consumer(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    consumer_env = {**env, "REDIS_URL": env["REDIS_URL"], "DEBUG": "true"}
    output = log.open("a")
    output.write("\n$ carebridge run_huey\n")
    output.flush()
    return subprocess.Popen(
        [sys.executable, "-m", "carebridge", "run_huey"],
        cwd=ROOT,
        env=consumer_env,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop_consumer(consumer: subprocess.Popen[bytes]) -> None:
    if consumer.poll() is None:
        consumer.send_signal(signal.SIGINT)
        try:
            consumer.wait(timeout=30)
        except subprocess.TimeoutExpired:
            consumer.kill()
            consumer.wait()


def _taken_at(world: World, keys: list[str], timeout: float) -> dict[str, float]:
    """When the system took each key (its monotonic clock), waiting up to `timeout`."""
    deadline = time.monotonic() + timeout
    wanted = set(keys)
    while True:
        with world.sim.lock:
            taken = {u["key"]: u["received_at"] for u in world.peer.updates if u["key"] in wanted}
        if len(taken) == len(wanted) or time.monotonic() > deadline:
            return taken
        time.sleep(0.05)


def _percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def measure_lag(
    args: argparse.Namespace, world: World, env: dict[str, str], log: Path
) -> dict[str, Any]:
    from huey.contrib.djhuey import HUEY

    from carebridge.integrations.models import CaseUpdate

    HUEY.flush()  # the bench's own Redis database: nothing of anyone else's
    pairs = args.lag_changes // 2
    referrals = _referrals(world, pairs + 1, first=args.events + 1)
    consumer = _start_consumer(env, log)
    try:
        # The consumer is ready once it has delivered a first change (not timed).
        warm = _change(world, referrals.pop(), 0)
        warm_key = CaseUpdate.objects.get(referral=warm, sequence=1).key
        if not _taken_at(world, [warm_key], CONSUMER_START_SECONDS):
            raise BenchError(f"the Huey consumer delivered nothing in {CONSUMER_START_SECONDS} s")
        print(
            f"bench: consumer running; {pairs * 2} changes at about {args.lag_rate:g} a second",
            flush=True,
        )
        committed: dict[str, float] = {}
        gap = 2 / args.lag_rate
        for referral in referrals:
            began = time.monotonic()
            for step in (0, 1):  # accepted, then at once delayed: the second waits for the first
                referral = _change(world, referral, step)
                committed[f"referral-{referral.pk}-{step + 1}"] = time.monotonic()
            time.sleep(max(0.0, gap - (time.monotonic() - began)))
        taken = _taken_at(world, list(committed), LAG_WAIT_SECONDS)
    finally:
        _stop_consumer(consumer)
    if len(taken) != len(committed):
        raise BenchError(f"{len(committed) - len(taken)} changes not delivered in time")
    lags = [taken[key] - at for key, at in committed.items()]
    return {
        "changes": len(lags),
        "rate_per_second": args.lag_rate,
        "median_seconds": round(statistics.median(lags), 3),
        "p95_seconds": round(_percentile(lags, 0.95), 3),
        "max_seconds": round(max(lags), 3),
        "target_p95_seconds": LAG_TARGET_SECONDS,
        "met": _percentile(lags, 0.95) < LAG_TARGET_SECONDS,
        "consumer": "carebridge run_huey (RedisHuey, 2 thread workers, separate process)",
    }


# --- The run -------------------------------------------------------------------------------------


def bench(args: argparse.Namespace, data_dir: Path, database: PostgresDatabase | None) -> dict:
    env = {**product_environment(data_dir, database), "REDIS_URL": args.redis_url}
    log = data_dir / "bench.log"
    if database is not None:
        database.create()
    run_command(["migrate", "--noinput"], env, log, "creating the schema")
    _start_django(env)
    from django.conf import settings
    from django.db import connection

    # The simulator listens on loopback, which only tests and DEBUG servers may post to.
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    world = _build_world()
    try:
        faults = measure_faults(args, world)
        print(
            f"bench: {faults['taken_by_the_system']:,} of {faults['changes']:,} changes taken, "
            f"{faults['lost']} lost, in {faults['seconds']:.0f} s",
            flush=True,
        )
        lag = measure_lag(args, world, env, log)
    finally:
        world.sim.stop()
    return {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": "postgresql" if database is not None else "sqlite",
        "database_version": _database_version(connection),
        "faults": faults,
        "lag": lag,
    }


def print_table(report: dict[str, Any]) -> None:
    faults, lag = report["faults"], report["lag"]
    print()
    print(
        f"deliveries on {report['database']} {report['database_version']}: "
        f"{faults['changes']:,} changes over {faults['referrals']:,} referrals, the simulator "
        f"failing {faults['failure_rate']:.0%} and taking then failing {faults['after_rate']:.0%}"
    )
    for label, key in (
        ("rows queued (one per change)", "rows_queued"),
        ("taken by the system", "taken_by_the_system"),
        ("lost (must be 0)", "lost"),
        ("taken twice (must be 0)", "taken_twice"),
        ("posts out of sequence (must be 0)", "posts_out_of_sequence"),
        ("referrals out of order (must be 0)", "referrals_out_of_order"),
        ("repeats answered duplicate", "repeats_answered_duplicate"),
        ("given up (8 failed tries)", "given_up"),
        ("sent again by support", "sent_again_by_support"),
        ("sweeps", "sweeps"),
        ("requests", "requests"),
        ("seconds (changes and sweeps)", "seconds"),
    ):
        print(f"  {label:36} {faults[key]:>10,}")
    print()
    print(
        f"lag on a healthy system with a Huey consumer: {lag['changes']} changes at "
        f"{lag['rate_per_second']:g}/s: median {lag['median_seconds']:.3f} s, p95 "
        f"{lag['p95_seconds']:.3f} s, max {lag['max_seconds']:.3f} s "
        f"(target p95 < {lag['target_p95_seconds']:g} s: {'met' if lag['met'] else 'MISSED'})"
    )


def main(argv: list[str] | None = None) -> int:
    _report, code = run_and_save(parse_args(argv), "deliveries", bench, print_table)
    return code


if __name__ == "__main__":
    sys.exit(main())
