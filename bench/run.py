"""Carebridge's page benchmark: server time of each page against a minimal Django view.

Run from the project root with the project's virtualenv:

    .venv/bin/python bench/run.py [--clients 20000] [--requests 200] [--database-url URL]
                                  [--from-dump FILE]

It builds a throw-away data set (`carebridge seed_scale`) in a temporary data directory (SQLite),
or in a PostgreSQL database it creates and drops itself (or restores a `pg_dump -Fc` of a seeded
database there, e.g. `seed_scale --county`'s, with --from-dump), starts gunicorn with the
ServerTimingMiddleware on, logs in as the personas of bench/pages.py over HTTP, requests every
page of its PAGES one at a time and prints, per page, the median and 95th percentile of the time
spent in Django (the Server-Timing `app` duration), its ratios to the medians of two minimal
views (anonymous, and logged in: bench/urls.py), and the number of database queries. The parts:
pages.py (what is measured, and how its paths are filled in), browser.py (HTTP and log-ins), results.py (measuring and the
figures), server.py (commands, database, gunicorn). See bench/README.md. Standard library only.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

# Run as a script, bench/ is first on the path; `bench.*` needs the project root.
if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.browser import Client, LoginTiming, log_in
from bench.pages import (
    ACTIONS,
    ACTUALS_WEEKS,
    API_PERSONA,
    BASELINE,
    CLOSED_REFERRALS,
    CONTRACT_DOCUMENTS,
    DIRECTORY_SERVICES,
    FRONT_DOOR_REQUESTS,
    JOBS,
    LOGGED_IN_BASELINE,
    LOGIN_PERSONA,
    PAGES,
    PAYMENTS_SEED,
    PENDING_REFERRALS,
    PERSONAS,
    ClientFor,
    fill_in,
)
from bench.results import PageResult, Target, measure, p95, print_table
from bench.server import (
    PostgresDatabase,
    Server,
    product_environment,
    require_seed_scale,
    run_command,
)
from bench.support import HTTP_TIMEOUT, RESULTS, ROOT, WORKERS, BenchError

# --- The run -------------------------------------------------------------------------------


def _demo_credentials() -> tuple[str, str]:
    sys.path.insert(0, str(ROOT))
    from carebridge.demo.credentials import DEMO_PASSCODE, DEMO_PASSWORD

    return DEMO_PASSWORD, DEMO_PASSCODE


SCALE_MODULE = ROOT / "carebridge" / "demo" / "scale.py"


def scale_api_key() -> str:
    """SCALE_API_KEY of seed_scale's module, read from its source: importing it needs Django."""
    tree = ast.parse(SCALE_MODULE.read_text())
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "SCALE_API_KEY" for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    raise BenchError(f'no SCALE_API_KEY = "..." in {SCALE_MODULE.relative_to(ROOT)}')


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=20000, help="service users to seed (20000)")
    parser.add_argument(
        "--pending-referrals",
        type=int,
        default=PENDING_REFERRALS,
        help=f"pending referrals to seed ({PENDING_REFERRALS})",
    )
    parser.add_argument(
        "--closed-referrals",
        type=int,
        default=CLOSED_REFERRALS,
        help=f"closed referrals to seed ({CLOSED_REFERRALS})",
    )
    parser.add_argument(
        "--contract-documents",
        type=int,
        default=CONTRACT_DOCUMENTS,
        help=f"contract documents to seed, each with 1 to 3 CPLIs ({CONTRACT_DOCUMENTS})",
    )
    parser.add_argument(
        "--actions",
        type=int,
        default=ACTIONS,
        help=f"actions to seed, a quarter of them the provider persona's ({ACTIONS})",
    )
    parser.add_argument(
        "--front-door-requests",
        type=int,
        default=FRONT_DOOR_REQUESTS,
        help=f"front-door journeys over the last year to seed ({FRONT_DOOR_REQUESTS})",
    )
    parser.add_argument(
        "--directory-services",
        type=int,
        default=DIRECTORY_SERVICES,
        help=f"community services in the council's directory ({DIRECTORY_SERVICES})",
    )
    parser.add_argument(
        "--requests", type=int, default=200, help="measured requests per page (200)"
    )
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured requests first (10)")
    parser.add_argument("--logins", type=int, default=10, help="full log-ins to time (10)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="a PostgreSQL server (postgres://user@host:port/postgres) to create the bench "
        "database on; default: $DATABASE_URL, else SQLite in the temporary data directory",
    )
    parser.add_argument(
        "--from-dump",
        type=Path,
        help="restore this pg_dump -Fc of a seeded database (e.g. seed_scale --county's) into "
        "the bench's own database instead of seeding; needs --database-url; the sizes above "
        "are then the dump's",
    )
    parser.add_argument(
        "--output", type=Path, default=RESULTS / "latest.json", help="JSON results file"
    )
    args = parser.parse_args(argv)
    if args.from_dump is not None and not args.database_url:
        parser.error("--from-dump needs a PostgreSQL server: --database-url (or DATABASE_URL)")
    if args.from_dump is not None and not args.from_dump.is_file():
        parser.error(f"--from-dump: no file {args.from_dump}")
    if not 1 <= args.requests <= 10000:
        parser.error("--requests must be between 1 and 10000")
    if not 0 <= args.warmup <= 1000 or not 1 <= args.logins <= 100 or args.clients < 1:
        parser.error("--warmup 0..1000, --logins 1..100 and --clients >= 1")
    if args.pending_referrals < 1 or args.closed_referrals < 0:
        parser.error("--pending-referrals >= 1 (the referral pages need one) and --closed >= 0")
    if args.contract_documents < 1:
        parser.error("--contract-documents >= 1 (the contract pages need one)")
    if args.actions < 1:
        parser.error("--actions >= 1 (the actions pages need one)")
    if args.front_door_requests < 1000 or args.directory_services < 1:
        parser.error(
            "--front-door-requests >= 1000 (the queue needs some waiting) and "
            "--directory-services >= 1"
        )
    return args


def bench(
    args: argparse.Namespace, data_dir: Path, database: PostgresDatabase | None
) -> dict[str, Any]:
    password, passcode = _demo_credentials()
    api_key = scale_api_key()
    log = data_dir / "bench.log"
    # The server's too: Server-Timing on, and the loopback host it answers on.
    env = {
        **product_environment(data_dir, database),
        "SERVER_TIMING": "true",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    require_seed_scale(env)
    if database is not None:
        database.create()
    if args.from_dump is not None and database is not None:
        seed_seconds = database.restore(args.from_dump, log)
        print(f"bench: restored {args.from_dump} in {seed_seconds:.1f} s", flush=True)
        run_command(["migrate", "--noinput"], env, log, "migrations newer than the dump")
    else:
        run_command(["migrate", "--noinput"], env, log, "creating the schema")
        seed_seconds = _seed(args, env, log)
    if database is not None:
        database.vacuum_analyze()
    sizes = _sizes(args, database)
    if args.from_dump is not None:
        print(f"bench: the dump holds {sizes}", flush=True)
    run_command(["collectstatic", "--noinput"], env, log, "collecting static files")

    server = Server(env, log, timeout=HTTP_TIMEOUT)
    try:
        server.start()
        clients: dict[str, Client] = {
            "anonymous": Client(server.base_url),
            API_PERSONA: Client(server.base_url, {"Authorization": f"Bearer {api_key}"}),
        }

        def client_for(persona: str) -> Client:
            if persona not in clients:
                if persona not in PERSONAS:
                    raise BenchError(f"unknown persona {persona!r}: add it to PERSONAS")
                clients[persona], _ = log_in(server.base_url, PERSONAS[persona], password, passcode)
                print(f"bench: logged in as {PERSONAS[persona]}", flush=True)
            return clients[persona]

        targets = _targets(client_for)
        print(
            f"bench: measuring {len(targets)} pages: {args.warmup} warm-up and {args.requests} "
            "measured requests each, in turns, one at a time",
            flush=True,
        )
        results = measure(targets, args.warmup, args.requests)

        print(f"bench: timing {args.logins} full log-ins as {PERSONAS[LOGIN_PERSONA]}", flush=True)
        logins = [
            log_in(server.base_url, PERSONAS[LOGIN_PERSONA], password, passcode)[1]
            for _ in range(args.logins)
        ]
    finally:
        server.stop()

    jobs: list[dict[str, Any]] = []
    for job in JOBS:
        seconds = run_command(list(job.args), env, log, f"bulk job: {job.name}")
        jobs.append({"name": job.name, "command": " ".join(job.args), "seconds": round(seconds, 2)})
    report = _report(args, database, seed_seconds, results, targets, logins, jobs)
    return {**report, **sizes}


def _seed(args: argparse.Namespace, env: dict[str, str], log: Path) -> float:
    """seed_scale at the size asked for; how long it took in seconds."""
    seed_seconds = run_command(
        [
            "seed_scale",
            "--clients",
            str(args.clients),
            "--pending-referrals",
            str(args.pending_referrals),
            "--closed-referrals",
            str(args.closed_referrals),
            "--contract-documents",
            str(args.contract_documents),
            "--actuals-weeks",
            str(ACTUALS_WEEKS),
            "--actions",
            str(args.actions),
            "--front-door-requests",
            str(args.front_door_requests),
            "--directory-services",
            str(args.directory_services),
            *PAYMENTS_SEED,
        ],
        env,
        log,
        "seeding",
    )
    print(
        f"bench: seeded {args.clients} service users, {args.pending_referrals} pending and "
        f"{args.closed_referrals} closed referrals, {args.contract_documents} contract documents, "
        f"{args.actions} actions in {seed_seconds:.1f} s",
        flush=True,
    )
    return seed_seconds


# What a restored dump holds, counted once it is restored (its own seed's options are unknown).
DUMP_COUNTS = {
    "clients": "people_serviceuser",
    "providers": "organisations_provider",
    "referrals": "referrals_referral",
    "contract_documents": "contracts_contractdocument",
    "cplis": "contracts_cpli",
    "actuals": "actuals_actual",
    "actions": "actions_action",
    "front_door_requests": "frontdoor_frontdoorrequest",
    "invoices": "payments_invoice",
}


def _sizes(args: argparse.Namespace, database: PostgresDatabase | None) -> dict[str, Any]:
    """The data set's size: the options seeded with, or a restored dump's rows counted."""
    if args.from_dump is None or database is None:
        return {
            "clients": args.clients,
            "pending_referrals": args.pending_referrals,
            "closed_referrals": args.closed_referrals,
            "contract_documents": args.contract_documents,
            "actions": args.actions,
        }
    # The table names are DUMP_COUNTS' own constants.
    counts = ", ".join(f"(SELECT count(*) FROM {t})" for t in DUMP_COUNTS.values())  # noqa: S608
    found = [int(n) for n in database.query(f"SELECT {counts}").split()]
    return {"from_dump": str(args.from_dump), **dict(zip(DUMP_COUNTS, found, strict=True))}


def _targets(client_for: ClientFor) -> list[Target]:
    """Every page of PAGES with its path filled in, as the persona who can see it."""
    found: dict[str, str] = {}
    targets: list[Target] = []
    for page in PAGES:
        persona = page.persona
        path = fill_in(page.path, client_for, found)
        if page.fallback is not None and client_for(persona).get(path).status == 403:
            print(f"bench: {path} is 403 for {persona}; measuring as {page.fallback}")
            persona = page.fallback
        targets.append(Target(page, path, persona, client_for(persona)))
    return targets


def _report(
    args: argparse.Namespace,
    database: PostgresDatabase | None,
    seed_seconds: float,
    results: list[PageResult],
    targets: list[Target],
    logins: list[LoginTiming],
    jobs: list[dict[str, Any]],
) -> dict[str, Any]:
    """The run's results, as written to the JSON file."""
    baseline_median, logged_in_median = (
        statistics.median(next(r for r in results if r.page is page).app_ms)
        for page in (BASELINE, LOGGED_IN_BASELINE)
    )
    walls = [login.wall_ms for login in logins]
    return {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": "postgresql" if database is not None else "sqlite",
        "requests_per_page": args.requests,
        "warmup_per_page": args.warmup,
        "gunicorn_workers": WORKERS,
        "seed_seconds": round(seed_seconds, 1),
        "baseline_median_ms": round(baseline_median, 2),
        "logged_in_baseline_median_ms": round(logged_in_median, 2),
        "pages": [
            result.summary(baseline_median, logged_in_median, target.path)
            for result, target in zip(results, targets, strict=True)
        ],
        "jobs": jobs,
        "login": {
            "persona": PERSONAS[LOGIN_PERSONA],
            "count": len(logins),
            "includes": "argon2 password and passcode hashing, on purpose",
            "wall_median_ms": round(statistics.median(walls), 1),
            "wall_p95_ms": round(p95(walls), 1),
            "app_median_ms": round(statistics.median(login.app_ms for login in logins), 1),
        },
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not (ROOT / "build" / "static" / "app.css").exists():
        print(
            "bench: error: the compiled assets are missing; run `make assets` first",
            file=sys.stderr,
        )
        return 1
    data_dir = Path(tempfile.mkdtemp(prefix="carebridge-bench-"))
    database: PostgresDatabase | None = None
    try:
        database = PostgresDatabase(args.database_url) if args.database_url else None
        report = bench(args, data_dir, database)
    except BenchError as error:
        print(f"\nbench: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nbench: interrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        try:
            if database is not None:
                database.drop()
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)
    print_table(report["pages"], report["login"], report["jobs"])
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nbench: results written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
