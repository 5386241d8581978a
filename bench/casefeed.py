"""Carebridge's case-management feed benchmark: the poller takes a council's feed of 1,000
referrals, 100 of them repeats of others, from the simulator over real HTTP, until it is drained;
once with a healthy system and once with the system failing 30 % of requests at random.

Run from the project root with the project's virtualenv:

    .venv/bin/python bench/casefeed.py [--referrals 1000] [--duplicates 100]
                                       [--failure-rate 0.3] [--seed 20]
                                       [--database-url postgres://postgres@127.0.0.1:5432/postgres]

Like bench/actuals.py it works in a temporary data directory (SQLite), or in a PostgreSQL
database it creates and drops itself, migrates it, and then, in this process, builds each run's
council and polls its feed with `referrals.casefeed.poll`, the function the Huey task calls.

Each run: a new council (a district, a provider under contract, its CaseSystem on the
simulator, a poll every 120 s), and a feed of `--referrals` items: `--referrals - --duplicates`
distinct referrals for new people, and `--duplicates` repeats of earlier ones put at random later
places (a system that sent a referral twice). The poller polls until its checkpoint is at the
end of the feed and a poll has succeeded; when a poll fails, the wait it would have backed off
for is counted, not slept (next_poll_at is moved to now). A run must create exactly the distinct
referrals, refuse none and queue one acknowledgement per referral made, or the bench fails.

Reported per run: received, created, duplicates, refused, polls (and failed polls), the
simulator's requests, the wall time of the polling and referrals made a second, and the waits
the poller chose between its polls until the feed was drained (the interval, or the back-off
after a failed poll), which the run counts instead of sleeping. The simulator runs on loopback in this process, so the run turns
on OUTBOUND_ALLOW_LOOPBACK in this process only (production never can).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import os
import pstats
import random
import secrets
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.actuals import _database_version, _start_django, run_and_save  # noqa: E402
from bench.server import PostgresDatabase, product_environment, run_command  # noqa: E402
from bench.support import BenchError  # noqa: E402

REFERRALS = 1000
DUPLICATES = 100
FAILURE_RATE = 0.3
SEED = 20
MAX_POLLS = 500


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--referrals", type=int, default=REFERRALS, help=f"items in the feed ({REFERRALS})"
    )
    parser.add_argument(
        "--duplicates",
        type=int,
        default=DUPLICATES,
        help=f"of those, repeats of an earlier item ({DUPLICATES})",
    )
    parser.add_argument(
        "--failure-rate",
        type=float,
        default=FAILURE_RATE,
        help=f"the second run's share of requests answered 500 ({FAILURE_RATE})",
    )
    parser.add_argument("--seed", type=int, default=SEED, help=f"for the faults ({SEED})")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="a PostgreSQL server (postgres://user@host:port/postgres) to create the bench "
        "database on; default: $DATABASE_URL, else SQLite in the temporary data directory",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="JSON results file (default bench/results/casefeed-<sqlite|postgresql>.json)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run the healthy run under cProfile and print where its time goes",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.referrals <= 100_000 or not 0 <= args.duplicates < args.referrals:
        parser.error("--referrals 1..100000, --duplicates 0..referrals-1")
    if not 0 <= args.failure_rate < 1:
        parser.error("--failure-rate from 0 to below 1")
    return args


def bench(args: argparse.Namespace, data_dir: Path, database: PostgresDatabase | None) -> dict:
    env = product_environment(data_dir, database)
    log = data_dir / "bench.log"
    if database is not None:
        database.create()
    run_command(["migrate", "--noinput"], env, log, "creating the schema")
    _start_django(env)
    from django.conf import settings
    from django.db import connection

    # The simulator listens on 127.0.0.1, which only tests (and this run) may call.
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    if args.profile:
        profiler = cProfile.Profile()
        healthy = profiler.runcall(_run, args, "healthy", 0.0, 1)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        print(f"\n=== cProfile: the healthy run ===\n{out.getvalue()}", flush=True)
    else:
        healthy = _run(args, "healthy", 0.0, 1)
    runs = [healthy, _run(args, f"{args.failure_rate:.0%} failures", args.failure_rate, 2)]
    return {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": "postgresql" if database is not None else "sqlite",
        "database_version": _database_version(connection),
        "referrals": args.referrals,
        "duplicates_in_feed": args.duplicates,
        "seed": args.seed,
        "runs": runs,
    }


def _run(args: argparse.Namespace, name: str, failure_rate: float, number: int) -> dict[str, Any]:
    from carebridge.core.calendar import now
    from carebridge.integrations.models import CaseSystem, CaseUpdate, FeedPoll
    from carebridge.integrations.simulator import Faults, Simulator
    from carebridge.integrations.simulator.case_management import CaseManagement
    from carebridge.referrals import casefeed
    from carebridge.referrals.models import Referral

    peer = CaseManagement(api_key="bench-feed-key")
    with Simulator(peer) as sim:
        council, provider_id = _council(number, f"{sim.url}/case-management", peer.api_key)
        distinct = _fill(peer, provider_id, args, random.Random(args.seed + number))
        sim.faults = Faults(seed=args.seed + number, failure_rate=failure_rate)
        print(f"bench: {name}: {len(peer.feed):,} items, {distinct:,} distinct", flush=True)
        end = str(len(peer.feed))
        polls: list[Any] = []
        waits = 0.0
        started = time.perf_counter()
        while len(polls) < MAX_POLLS:
            record = casefeed.poll(council.pk)
            if record is None:
                raise BenchError(f"{name}: the council was not due after a poll was moved to now")
            polls.append(record)
            system = CaseSystem.objects.get(pk=council.pk)
            if system.checkpoint == end and not record.error:
                break
            # The wait the poller chose is counted, not slept: the next poll is due now.
            waits += (system.next_poll_at - record.finished_at).total_seconds()
            CaseSystem.objects.filter(pk=council.pk).update(next_poll_at=now())
        seconds = time.perf_counter() - started
        requests = sim.requests
    created = sum(p.created for p in polls)
    report = {
        "name": name,
        "failure_rate": failure_rate,
        "received": sum(p.received for p in polls),
        "created": created,
        "duplicates": sum(p.duplicates for p in polls),
        "refused": sum(p.refused for p in polls),
        "polls": len(polls),
        "failed_polls": sum(1 for p in polls if p.error),
        "requests": requests,
        "seconds": round(seconds, 2),
        "created_per_second": round(created / seconds, 1) if seconds else None,
        # What the poller would have waited between its polls before the feed was drained.
        "waits_between_polls_seconds": round(waits),
        "acknowledgements_queued": CaseUpdate.objects.filter(
            council=council, event="acknowledged"
        ).count(),
    }
    made = Referral.objects.filter(council=council).count()
    if (
        FeedPoll.objects.filter(council=council).count() != len(polls)
        or created != distinct
        or made != distinct
        or report["refused"]
        or report["acknowledgements_queued"] != distinct
    ):
        raise BenchError(f"{name}: {report}, {made} referrals made; expected {distinct}")
    print(
        f"bench: {name}: {created:,} created, {report['duplicates']:,} duplicates, "
        f"{len(polls)} polls ({report['failed_polls']} failed) in {seconds:.1f} s",
        flush=True,
    )
    return report


def _council(number: int, base_url: str, api_key: str) -> tuple[Any, int]:
    """A council with a district, a provider under contract, and its CaseSystem; the provider's
    id."""
    from carebridge.integrations.models import CaseSystem
    from carebridge.organisations import services as org

    council = org.council_create(
        name=f"Casefeed Bench Council {number}", slug=f"casefeed-bench-{number}", rulebook={}
    )
    provider = org.provider_create(name=f"Casefeed Bench Care {number}", postcode="NG24 1AA")
    org.contract_create(
        council=council,
        provider=provider,
        reference=f"CFB{number:04d}",
        contract_type="spot",
        start_date=datetime.date(2026, 4, 1),
    )
    org.district_create(council=council, name="Newark and Sherwood", postcode_districts="")
    CaseSystem.objects.create(
        council=council,
        name="Mosaic",
        base_url=base_url,
        api_key=api_key,
        signing_secret=secrets.token_urlsafe(32),
    )
    return council, provider.pk


def _fill(peer: Any, provider_id: int, args: argparse.Namespace, rng: random.Random) -> int:
    """The feed: the distinct referrals, with the repeats put at random places after their
    first; how many are distinct."""
    distinct = args.referrals - args.duplicates
    bodies = [
        peer.referral_body(
            provider_id=provider_id,
            district="Newark and Sherwood",
            external_id=f"CM-{n:06d}",
        )
        for n in range(1, distinct + 1)
    ]
    order: list[dict[str, Any]] = list(bodies)
    for _ in range(args.duplicates):
        first = rng.randrange(distinct)
        place = next(i for i, body in enumerate(order) if body is bodies[first])
        order.insert(rng.randint(place + 1, len(order)), bodies[first])
    for body in order:
        peer.add_referral(body)
    return distinct


def print_table(report: dict[str, Any]) -> None:
    header = ("run", "received", "created", "duplicates", "refused", "polls", "failed", "seconds")
    lines = [
        (
            run["name"],
            f"{run['received']:,}",
            f"{run['created']:,}",
            f"{run['duplicates']:,}",
            f"{run['refused']:,}",
            f"{run['polls']}",
            f"{run['failed_polls']}",
            f"{run['seconds']:.1f}",
        )
        for run in report["runs"]
    ]
    widths = [max(len(cell) for cell in column) for column in zip(header, *lines, strict=True)]

    def format_line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            cell.ljust(width) if index == 0 else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )

    print()
    print(
        f"case-management feed on {report['database']} {report['database_version']}: "
        f"{report['referrals']:,} items, {report['duplicates_in_feed']:,} of them repeats"
    )
    print(format_line(header))
    print("  ".join("-" * width for width in widths))
    for line in lines:
        print(format_line(line))
    print()
    print("seconds: wall time of the polls, in this process, the simulator on loopback. The")
    print("waits the poller chose between polls (back-off after failures), counted, not slept:")
    for run in report["runs"]:
        print(f"  {run['name']}: {run['waits_between_polls_seconds']:,} s")


def main(argv: list[str] | None = None) -> int:
    _report, code = run_and_save(parse_args(argv), "casefeed", bench, print_table)
    return code


if __name__ == "__main__":
    sys.exit(main())
