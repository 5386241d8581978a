"""Carebridge's page benchmark: server time of each page against a minimal Django view.

Run from the project root with the project's virtualenv:

    .venv/bin/python bench/run.py [--clients 20000] [--requests 200] [--database-url URL]

It builds a throw-away data set (`carebridge seed_scale`) in a temporary data directory (SQLite),
or in a PostgreSQL database it creates and drops itself, starts gunicorn with the
ServerTimingMiddleware on, logs in as the personas of bench/pages.py over HTTP, requests every
page of its PAGES one at a time and prints, per page, the median and 95th percentile of the time
spent in Django (the Server-Timing `app` duration), its ratios to the medians of two minimal
views (anonymous, and logged in: bench/urls.py), and the number of database queries. The parts:
pages.py (what is measured), browser.py (HTTP and log-ins), results.py (measuring and the
figures), server.py (commands, database, gunicorn). See bench/README.md. Standard library only.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

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
)
from bench.results import PageResult, Target, measure, p95, print_table
from bench.server import (
    PostgresDatabase,
    Server,
    product_environment,
    require_seed_scale,
    run_command,
)
from bench.support import RESULTS, ROOT, WORKERS, BenchError

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


# --- Filling in the paths from the seeded data ---------------------------------------------

# The logged-in client of a persona (logging in on first use).
ClientFor = Callable[[str], Client]


def _first_link(client_for: ClientFor, persona: str, path: str, pattern: str, missing: str) -> str:
    """The first match of `pattern` (one group: an id or a path) on the persona's page at
    `path`; a BenchError saying what the seed lacked (`missing`) if the page has none."""
    page = client_for(persona).get(path)
    match = re.search(pattern, page.body)
    if page.status != 200 or match is None:
        raise BenchError(f"GET {path} as {persona} answered {page.status} without {missing}")
    return match.group(1)


def _find_pending_referral(client_for: ClientFor) -> str:
    """The first referral on the provider persona's pending list (the oldest pending one)."""
    return _first_link(
        client_for, "provider", "/referrals/", r'href="/referrals/(\d+)/"',
        "a referral: did seed_scale make pending referrals?",
    )  # fmt: skip


def _find_district(client_for: ClientFor) -> str:
    """The first district offered by the pending list's filter."""
    page = client_for("provider").get("/referrals/")
    select = re.search(r'<select[^>]*name="district"[^>]*>(.*?)</select>', page.body, re.S)
    option = re.search(r'<option value="(\d+)"', select.group(1)) if select else None
    if option is None:
        raise BenchError("the pending list has no district filter with a district to choose")
    return option.group(1)


def _a_day_ago(_client_for: ClientFor) -> str:
    moment = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    return urllib.parse.quote(moment.strftime("%Y-%m-%dT%H:%M:%SZ"))


def _a_year_of_weeks(_client_for: ClientFor) -> str:
    """The front-door weekly report's dates: the 52 weeks up to today, from a Monday."""
    # The bench runs in London's day as the product does; zoneinfo needs no Django.
    today = datetime.datetime.now(ZoneInfo("Europe/London")).date()
    starts = today - datetime.timedelta(days=today.weekday(), weeks=51)
    dates = {"starts": starts, "ends": today}
    return urllib.parse.urlencode(
        {
            f"{name}_{n}": part
            for name, day in dates.items()
            for n, part in enumerate((day.day, day.month, day.year))
        }
    )


def _find_document(client_for: ClientFor) -> str:
    """The newest contract document on the provider persona's list."""
    return _first_link(
        client_for, "provider", "/contracts/documents/", r'href="/contracts/documents/(\d+)/"',
        "a document: did seed_scale make contract documents?",
    )  # fmt: skip


def _find_purchase_order(client_for: ClientFor) -> str:
    """The first purchase order on the provider persona's list (its whole path)."""
    return _first_link(
        client_for, "provider", "/cplis/purchase-orders/",
        r'href="(/cplis/purchase-orders/\d+/\d+/)"', "a purchase order: did seed_scale make CPLIs?",
    )  # fmt: skip


def _actuals_default(client_for: ClientFor) -> tuple[str, str]:
    """The service and week the provider's actuals page opens on: its first service, the last
    week that has ended. seed_scale has generated that week's actuals."""
    page = client_for("provider").get("/actuals/")
    service = re.search(r'name="service" value="(\d+)"', page.body)
    week = re.search(r'name="week" value="(\d{4}-\d{2}-\d{2})"', page.body)
    if page.status != 200 or service is None or week is None:
        raise BenchError(
            f"no service or week on the provider's actuals page (GET /actuals/ answered "
            f"{page.status}): did seed_scale make CPLIs?"
        )
    if "no actuals for this week yet" in page.body:
        raise BenchError(
            "the provider's actuals page offers to generate the week's actuals: did seed_scale "
            "generate them (--actuals-weeks)?"
        )
    return service.group(1), week.group(1)


def _find_action_type(client_for: ClientFor) -> str:
    """The first type offered by the provider persona's actions inbox filter."""
    page = client_for("provider").get("/actions/")
    select = re.search(r'<select[^>]*name="action_type"[^>]*>(.*?)</select>', page.body, re.S)
    option = re.search(r'<option value="(\d+)"', select.group(1)) if select else None
    if page.status != 200 or option is None:
        raise BenchError(
            f"no action type in the provider's actions inbox filter (GET /actions/ answered "
            f"{page.status}): did seed_scale make the catalogue (--actions)?"
        )
    return option.group(1)


def _find_action(client_for: ClientFor) -> str:
    """The action with the most posts among the first page of the provider persona's inbox,
    closed ones too (the newest first); the newest of those on a tie."""
    client = client_for("provider")
    page = client.get("/actions/?assigned=&action_type=")
    ids = list(dict.fromkeys(re.findall(r'href="/actions/(\d+)/"', page.body)))
    if page.status != 200 or not ids:
        raise BenchError(
            f"no action in the provider's actions inbox (GET /actions/ answered {page.status}): "
            "did seed_scale make actions (--actions)?"
        )
    posts: dict[str, int] = {}
    for action in ids:
        detail = client.get(f"/actions/{action}/")
        thread = re.search(r'<ol class="govuk-list cb-thread">(.*?)</ol>', detail.body, re.S)
        if detail.status != 200 or thread is None:
            raise BenchError(f"GET /actions/{action}/ answered {detail.status} without a thread")
        posts[action] = thread.group(1).count('<li class="govuk-!-margin-bottom-6">')
    return max(ids, key=lambda action: posts[action])


def _find_front_door_request(client_for: ClientFor) -> str:
    """The first request in the front-door officer's queue (urgent first, then the oldest)."""
    return _first_link(
        client_for, "frontdoor", "/front-door/", r'href="/front-door/requests/(\d+)/"',
        "a request: did seed_scale make front-door requests (--front-door-requests)?",
    )  # fmt: skip


def _find_invoice(client_for: ClientFor) -> str:
    """The first invoice on the invoicing provider's list (the newest)."""
    return _first_link(
        client_for, "invoicer", "/payments/invoices/", r'href="/payments/invoices/(\d+)/"',
        "an invoice: did seed_scale make invoices (--invoices)?",
    )  # fmt: skip


def _find_remittance(client_for: ClientFor) -> str:
    """The first remittance advice on the invoicing provider's list (its whole path)."""
    return _first_link(
        client_for, "invoicer", "/payments/remittances/",
        r'href="(/payments/remittances/\d+/\d+/)"',
        "a remittance: did seed_scale make payment runs (--payment-runs)?",
    )  # fmt: skip


def _find_payment_run(client_for: ClientFor) -> str:
    """The first run on the payments officer's list (the newest)."""
    return _first_link(
        client_for, "payments", "/payments/council/runs/", r'href="/payments/council/runs/(\d+)/"',
        "a payment run: did seed_scale make payment runs (--payment-runs)?",
    )  # fmt: skip


# What `{name}` in a page's path stands for, and how to find it once the personas are in.
FINDERS = {
    "action": _find_action,
    "front_door_request": _find_front_door_request,
    "action_type": _find_action_type,
    "actuals_service": lambda client_for: _actuals_default(client_for)[0],
    "actuals_week": lambda client_for: _actuals_default(client_for)[1],
    "document": _find_document,
    "purchase_order": _find_purchase_order,
    "pending_referral": _find_pending_referral,
    "district": _find_district,
    "a_day_ago": _a_day_ago,
    "a_year_of_weeks": _a_year_of_weeks,
    "invoice": _find_invoice,
    "remittance": _find_remittance,
    "payment_run": _find_payment_run,
}


def fill_in(path: str, client_for: ClientFor, found: dict[str, str]) -> str:
    for name in re.findall(r"{(\w+)}", path):
        if name not in found:
            if name not in FINDERS:
                raise BenchError(f"{path}: nothing finds {{{name}}}; add it to FINDERS")
            found[name] = FINDERS[name](client_for)
    return path.format(**found)


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
        "--output", type=Path, default=RESULTS / "latest.json", help="JSON results file"
    )
    args = parser.parse_args(argv)
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
    run_command(["migrate", "--noinput"], env, log, "creating the schema")
    seed_seconds = _seed(args, env, log)
    if database is not None:
        database.vacuum_analyze()
    run_command(["collectstatic", "--noinput"], env, log, "collecting static files")

    server = Server(env, log)
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
    return _report(args, database, seed_seconds, results, targets, logins, jobs)


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
        "clients": args.clients,
        "pending_referrals": args.pending_referrals,
        "closed_referrals": args.closed_referrals,
        "contract_documents": args.contract_documents,
        "actions": args.actions,
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
