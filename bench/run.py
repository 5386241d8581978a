"""Carebridge's page benchmark: server time of each page against a minimal Django view.

Run from the project root with the project's virtualenv:

    .venv/bin/python bench/run.py [--clients 20000] [--requests 200] [--database-url URL]

It builds a throw-away data set (`carebridge seed_scale`) in a temporary data directory (SQLite),
or in a PostgreSQL database it creates and drops itself, starts gunicorn with the
ServerTimingMiddleware on, logs in as the personas below over HTTP, requests every page of PAGES
one at a time and prints, per page, the median and 95th percentile of the time spent in Django
(the Server-Timing `app` duration), its ratios to the medians of two minimal views (anonymous,
and logged in: bench/urls.py), and the number of database queries. See bench/README.md.
Standard library only.
"""

from __future__ import annotations

import argparse
import ast
import collections
import datetime
import html
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# --------------------------------------------------------------------------------------------
# What is measured. Later issues add their pages here (and their personas to PERSONAS).
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A page to measure: a name for the table, its path, and who requests it.

    `persona` is a key of PERSONAS, "api" (the scale council's API key, no session) or
    "anonymous". When the persona gets a 403, the page is measured as `fallback` instead (and
    the table says so), if one is given. `{name}` in the path is filled in from the seeded data
    once the personas have logged in (see FINDERS). `target` is the most the page's median may
    be, as a multiple of the minimal views' medians.
    """

    name: str
    path: str
    persona: str
    fallback: str | None = None
    target: float | None = None


# Two baselines: the same middleware stack with a view that does nothing, anonymous and logged
# in. A logged-in page also reads its session and its user; the second baseline does that too
# (bench/urls.py adds it to the product's URLs for the bench server only).
BASELINE = Page("minimal view (/healthz)", "/healthz", "anonymous")
LOGGED_IN_BASELINE = Page("minimal view, logged in", "/bench/minimal", "provider")
# The referrals issue: the pending list within 3x a minimal Django view of the same run.
REFERRALS_TARGET = 3.0

PAGES: list[Page] = [
    BASELINE,
    LOGGED_IN_BASELINE,
    Page("log-in page", "/accounts/login/", "anonymous"),
    Page("provider home", "/", "provider"),
    Page("council home", "/", "admin"),
    Page("user accounts list", "/accounts/users/", "admin"),
    Page("service users list", "/service-users/", "admin", fallback="broker"),
    Page("audit log", "/audit/", "admin"),
    Page("pending referrals", "/referrals/", "provider", target=REFERRALS_TARGET),
    Page(
        "pending referrals, filtered",
        "/referrals/?district={district}&q=son",
        "provider",
        target=REFERRALS_TARGET,
    ),
    Page("existing service users", "/referrals/service-users/", "provider"),
    Page("council referral list", "/referrals/sent/", "broker"),
    Page("referral detail (pending)", "/referrals/{pending_referral}/", "provider"),
    Page("API: one referral", "/api/v1/referrals/{pending_referral}/", "api"),
    Page("API: referrals changed", "/api/v1/referrals/?changed_since={a_day_ago}", "api"),
    Page("contract documents", "/contracts/documents/", "provider"),
    Page("contract documents, published", "/contracts/documents/?status=published", "provider"),
    Page("contract documents (council)", "/contracts/documents/", "broker"),
    Page("contract document detail", "/contracts/documents/{document}/", "provider"),
    Page("CPLI list", "/cplis/", "provider"),
    Page("CPLI list, historical, by client", "/cplis/?historical=on&client=son", "provider"),
    Page("CPLI list (council)", "/cplis/", "broker"),
    Page("purchase orders", "/cplis/purchase-orders/", "provider"),
    Page("purchase order detail", "{purchase_order}", "provider"),
    # The whole filtered list, every row: it grows with the provider, unlike the pages above.
    Page("CPLI export, CSV (every row)", "/cplis/export.csv", "provider"),
]


@dataclass(frozen=True)
class Job:
    """A bulk job to time: a `carebridge` management command run against the seeded data.

    Jobs run after the pages (they may change the data) and are timed as a whole, wall time.
    """

    name: str
    args: tuple[str, ...]


# Later issues add their bulk jobs here, e.g. Job("open actuals periods", ("open_periods",)).
JOBS: list[Job] = []

# The log-ins `carebridge seed_scale` creates, all with DEMO_PASSWORD and DEMO_PASSCODE.
PERSONAS: dict[str, str] = {
    "provider": "provider@scale.example",
    "admin": "admin@scale.example",
    "broker": "broker@scale.example",
}
# Whose log-in is timed as one operation (password step + passcode step).
LOGIN_PERSONA = "provider"
# The API persona calls with the key seed_scale gives the scale council's token.
API_PERSONA = "api"
# How many referrals seed_scale makes (its own defaults): the data size.
PENDING_REFERRALS = 5000
CLOSED_REFERRALS = 200000
CONTRACT_DOCUMENTS = 15000

# --------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
HTTP_TIMEOUT = 30.0  # seconds, for every request
SERVER_START_TIMEOUT = 60.0
COMMAND_TIMEOUT = 60 * 60  # seeding a large data set on a slow machine takes a while
WORKERS = 2


class BenchError(Exception):
    """Something went wrong: the run stops, cleans up and says what."""


# --- HTTP ----------------------------------------------------------------------------------


class _EveryResponse(urllib.request.HTTPErrorProcessor):
    """Hand back every response as it is: no exceptions for 4xx/5xx, no following redirects."""

    def http_response(self, request: urllib.request.Request, response: Any) -> Any:
        return response

    https_response = http_response


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str
    wall_ms: float

    @property
    def app_ms(self) -> float:
        timing = self.headers.get("server-timing", "")
        match = re.search(r"(?:^|,)\s*app;dur=([0-9.]+)", timing)
        if match is None:
            raise BenchError(
                "the response has no Server-Timing app duration: is SERVER_TIMING=true reaching "
                f"the settings? (headers: {self.headers})"
            )
        return float(match.group(1))

    @property
    def db_ms(self) -> float:
        match = re.search(r"db;dur=([0-9.]+)", self.headers.get("server-timing", ""))
        return float(match.group(1)) if match else 0.0

    @property
    def queries(self) -> int:
        return int(self.headers.get("x-query-count", "-1"))


class Client:
    """One browser: its own cookies (session, CSRF), talking to the bench server."""

    def __init__(self, base_url: str, headers: dict[str, str] | None = None) -> None:
        self.base_url = base_url
        self.headers = dict(headers or {})  # sent with every request, e.g. Authorization
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _EveryResponse()
        )

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Response:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(
            self.base_url + path, data=data, method=method, headers=self.headers
        )
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=HTTP_TIMEOUT) as reply:
                body = reply.read().decode("utf-8", "replace")
                status = reply.status
                headers = {key.lower(): value for key, value in reply.headers.items()}
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            raise BenchError(f"{method} {path} failed: {error}") from error
        wall_ms = (time.perf_counter() - started) * 1000
        return Response(status, headers, body, wall_ms)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, str]) -> Response:
        return self.request("POST", path, form)


def _csrf_token(response: Response, where: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"', response.body)
    if match is None:
        raise BenchError(f"no CSRF token in the form of {where} (status {response.status})")
    return match.group(1)


def _page_errors(response: Response) -> str:
    """The error summary of a form page, as text, to explain a refused log-in."""
    match = re.search(r'govuk-error-summary__list">(.*?)</ul>', response.body, re.S)
    if match is None:
        return "(no error summary on the page)"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def _expect_redirect(response: Response, to: str, step: str) -> None:
    location = urllib.parse.urlsplit(response.headers.get("location", "")).path
    if response.status != 302 or location != to:
        raise BenchError(
            f"{step}: expected a redirect to {to}, got {response.status} "
            f"{response.headers.get('location', '')}: {_page_errors(response)}"
        )


@dataclass
class LoginTiming:
    wall_ms: float  # the two POSTs, as the browser waits for them
    app_ms: float  # the same, as Django spent it


def log_in(base_url: str, email: str, password: str, passcode: str) -> tuple[Client, LoginTiming]:
    """Both steps of the log-in, as a browser does them; the client keeps the session."""
    client = Client(base_url)
    page = client.get("/accounts/login/")
    if page.status != 200:
        raise BenchError(f"GET /accounts/login/ answered {page.status}")
    first = client.post(
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": _csrf_token(page, "/accounts/login/"),
            "email": email,
            "password": password,
        },
    )
    _expect_redirect(first, "/accounts/login/second-step/", f"log-in of {email}, password step")
    page = client.get("/accounts/login/second-step/")
    if page.status != 200:
        raise BenchError(f"GET /accounts/login/second-step/ for {email} answered {page.status}")
    second = client.post(
        "/accounts/login/second-step/",
        {
            "csrfmiddlewaretoken": _csrf_token(page, "/accounts/login/second-step/"),
            "passcode": passcode,
        },
    )
    _expect_redirect(second, "/", f"log-in of {email}, passcode step")
    timing = LoginTiming(first.wall_ms + second.wall_ms, first.app_ms + second.app_ms)
    return client, timing


# --- Statistics and results ----------------------------------------------------------------


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


@dataclass
class PageResult:
    page: Page
    persona: str
    app_ms: list[float] = field(default_factory=list)
    db_ms: list[float] = field(default_factory=list)
    wall_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)

    @property
    def query_counts(self) -> dict[int, int]:
        return dict(sorted(collections.Counter(self.queries).items()))

    def summary(self, baseline_median: float, logged_in_median: float, path: str) -> dict[str, Any]:
        median = statistics.median(self.app_ms)
        counts = self.query_counts
        return {
            "name": self.page.name,
            "path": path,
            "persona": self.persona,
            "requests": len(self.app_ms),
            "median_ms": round(median, 2),
            "p95_ms": round(p95(self.app_ms), 2),
            "ratio": round(median / baseline_median, 1) if baseline_median else None,
            "ratio_logged_in": (round(median / logged_in_median, 1) if logged_in_median else None),
            "target": self.page.target,
            "db_median_ms": round(statistics.median(self.db_ms), 2),
            "wall_median_ms": round(statistics.median(self.wall_ms), 2),
            "queries": max(counts, key=lambda n: counts[n]),
            "query_counts": {str(n): times for n, times in counts.items()},
            "queries_varied": len(counts) > 1,
        }


def _get_200(target: Target, what: str) -> Response:
    response = target.client.get(target.path)
    if response.status != 200:
        location = response.headers.get("location")
        raise BenchError(
            f"{target.page.name}: GET {target.path} as {target.persona} answered "
            f"{response.status}"
            f"{f' (to {location})' if location else ''} on {what}; every measured response "
            "must be 200"
        )
    return response


@dataclass(frozen=True)
class Target:
    """A page to request: the page, its path with the seeded data filled in, and as whom."""

    page: Page
    path: str
    persona: str
    client: Client


def measure(targets: list[Target], warmup: int, requests: int) -> list[PageResult]:
    """Request every page `warmup` times, then `requests` times, one request at a time.

    The pages take turns (one request each per round) rather than running one after another,
    so a burst of load from elsewhere on the machine falls on every page, the minimal views
    included, and the ratios stay fair.
    """
    for target in targets:
        for number in range(warmup):
            _get_200(target, f"warm-up request {number + 1}")
    results = [PageResult(target.page, target.persona) for target in targets]
    for number in range(requests):
        for target, result in zip(targets, results, strict=True):
            response = _get_200(target, f"measured request {number + 1}")
            result.app_ms.append(response.app_ms)
            result.db_ms.append(response.db_ms)
            result.wall_ms.append(response.wall_ms)
            result.queries.append(response.queries)
    return results


def _ratio(value: float | None) -> str:
    return f"{value:.1f}x" if value is not None else "-"


def print_table(
    rows: list[dict[str, Any]], login: dict[str, Any], jobs: list[dict[str, Any]]
) -> None:
    header = (
        "page",
        "as",
        "median ms",
        "p95 ms",
        "x anon",
        "x logged-in",
        "queries",
        "db ms",
        "wall ms",
    )
    lines = [
        (
            row["name"],
            row["persona"],
            f"{row['median_ms']:.2f}",
            f"{row['p95_ms']:.2f}",
            _ratio(row["ratio"]),
            _ratio(row["ratio_logged_in"]),
            f"{row['queries']}{' *' if row['queries_varied'] else ''}",
            f"{row['db_median_ms']:.2f}",
            f"{row['wall_median_ms']:.2f}",
        )
        for row in rows
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines, strict=True)]
    numeric = {2, 3, 4, 5, 6, 7, 8}

    def format_line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            cell.rjust(width) if index in numeric else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )

    print()
    print(format_line(header))
    print("  ".join("-" * width for width in widths))
    for line in lines:
        print(format_line(line))
    print()
    print("median/p95: time in Django (Server-Timing app); x anon, x logged-in: median / the")
    print("median of the minimal view, anonymous (/healthz) and logged in (/bench/minimal);")
    print("db: time in queries (median); wall: as the client sees it, incl. gunicorn and loopback.")
    for row in rows:
        if row["queries_varied"]:
            counts = ", ".join(f"{n} queries x{times}" for n, times in row["query_counts"].items())
            print(f"* {row['name']}: the query count varied between requests: {counts}")
    for row in rows:
        if row["target"] is not None:
            verdicts = [
                f"{_ratio(row[key])} {baseline} ({'met' if row[key] <= row['target'] else 'MISSED'})"
                for key, baseline in (("ratio", "anonymous"), ("ratio_logged_in", "logged in"))
                if row[key] is not None
            ]
            print(
                f"target {row['name']}: within {row['target']:.0f}x a minimal view: "
                + "; ".join(verdicts)
            )
    print(
        f"\nfull log-in ({login['persona']}, POST password + POST passcode, {login['count']} "
        f"log-ins, includes argon2 hashing on purpose): median {login['wall_median_ms']:.0f} ms, "
        f"p95 {login['wall_p95_ms']:.0f} ms wall; {login['app_median_ms']:.0f} ms in Django"
    )
    for job in jobs:
        print(f"bulk job {job['name']} (carebridge {job['command']}): {job['seconds']:.2f} s")


# --- The server and its data ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def run_command(args: list[str], env: dict[str, str], log: Path, what: str) -> float:
    """Run a `carebridge` management command; return how long it took in seconds."""
    command = [sys.executable, "-m", "carebridge", *args]
    print(f"bench: {what}: carebridge {' '.join(args)}", flush=True)
    started = time.perf_counter()
    with log.open("a") as output:
        output.write(f"\n$ carebridge {' '.join(args)}\n")
        output.flush()
        try:
            completed = subprocess.run(
                command,
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                timeout=COMMAND_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise BenchError(
                f"carebridge {' '.join(args)} took over {COMMAND_TIMEOUT} s"
            ) from error
    if completed.returncode != 0:
        raise BenchError(
            f"carebridge {' '.join(args)} failed (exit {completed.returncode}):\n{_tail(log)}"
        )
    return time.perf_counter() - started


def require_seed_scale(env: dict[str, str]) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "carebridge", "help", "--commands"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if completed.returncode != 0:
        raise BenchError(f"`carebridge help --commands` failed:\n{completed.stderr[-3000:]}")
    if "seed_scale" not in completed.stdout.split():
        raise BenchError(
            "the management command `carebridge seed_scale` does not exist (expected in "
            "carebridge/core/management/commands/seed_scale.py); the benchmark needs it to "
            "build its data set"
        )


class PostgresDatabase:
    """A database of our own on the given server, created for this run and dropped after it."""

    def __init__(self, server_url: str) -> None:
        parts = urllib.parse.urlsplit(server_url)
        if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
            raise BenchError(f"--database-url must be a PostgreSQL URL, not {parts.scheme}://")
        if shutil.which("psql") is None:
            raise BenchError("psql is needed to create and drop the bench database")
        self.name = f"carebridge_bench_{secrets.token_hex(4)}"
        # CREATE and DROP DATABASE run from the database named in the URL (`postgres` if none);
        # nothing is ever written there, and no database but our own is created or dropped.
        self.admin_url = urllib.parse.urlunsplit(
            (
                "postgresql",
                parts.netloc,
                parts.path if parts.path not in {"", "/"} else "/postgres",
                parts.query,
                "",
            )
        )
        self.url = urllib.parse.urlunsplit(
            (parts.scheme, parts.netloc, f"/{self.name}", parts.query, "")
        )
        self.created = False

    def _psql(self, sql: str, *, in_bench_database: bool = False) -> None:
        url = self.admin_url
        if in_bench_database:
            url = urllib.parse.urlunsplit(("postgresql", *urllib.parse.urlsplit(self.url)[1:]))
        completed = subprocess.run(
            ["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if completed.returncode != 0:
            raise BenchError(f"psql: {sql}: {completed.stderr.strip()}")

    def create(self) -> None:
        self._psql(f'CREATE DATABASE "{self.name}"')
        self.created = True
        print(f"bench: created PostgreSQL database {self.name}", flush=True)

    def vacuum_analyze(self) -> None:
        """Planner statistics and a visibility map, as autovacuum keeps them on a live server.

        Right after a bulk load the planner believes the tables are nearly empty and picks
        plans that read every row, and counts cannot use index-only scans; autovacuum would
        only catch up a minute or so later, in the middle of the measurements.
        """
        self._psql("VACUUM ANALYZE", in_bench_database=True)
        print(f"bench: vacuumed and analyzed {self.name}", flush=True)

    def drop(self) -> None:
        if self.created:
            self._psql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self.created = False
            print(f"bench: dropped PostgreSQL database {self.name}", flush=True)


class Server:
    """gunicorn serving carebridge on a free loopback port, in its own process group."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        # The product's settings with bench/urls.py, for the logged-in minimal view; the
        # project root on the path so that `bench` imports.
        python_path = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
        self.env = {**env, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": python_path}
        self.log = log
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        command = [str(gunicorn)] if gunicorn.exists() else [sys.executable, "-m", "gunicorn"]
        command += ["carebridge.wsgi", "-w", str(WORKERS), "-b", f"127.0.0.1:{self.port}"]
        print(f"bench: starting gunicorn ({WORKERS} workers) on {self.base_url}", flush=True)
        with self.log.open("a") as output:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        client = Client(self.base_url)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(
                    f"gunicorn exited with {self.process.returncode}:\n{_tail(self.log)}"
                )
            try:
                if client.get("/healthz").status == 200:
                    return
            except BenchError:
                pass
            time.sleep(0.2)
        raise BenchError(
            f"gunicorn did not answer /healthz in {SERVER_START_TIMEOUT:.0f} s:\n{_tail(self.log)}"
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # gunicorn's master stops its workers on SIGTERM
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        print("bench: gunicorn stopped", flush=True)


# --- The run -------------------------------------------------------------------------------


def _demo_credentials() -> tuple[str, str]:
    sys.path.insert(0, str(ROOT))
    from carebridge.core.demo import DEMO_PASSCODE, DEMO_PASSWORD

    return DEMO_PASSWORD, DEMO_PASSCODE


SCALE_MODULE = ROOT / "carebridge" / "core" / "seeding" / "scale.py"


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


def _find_pending_referral(client_for: ClientFor) -> str:
    """The first referral on the provider persona's pending list (the oldest pending one)."""
    page = client_for("provider").get("/referrals/")
    match = re.search(r'href="/referrals/(\d+)/"', page.body)
    if page.status != 200 or match is None:
        raise BenchError(
            f"no referral on the provider's pending list (GET /referrals/ answered "
            f"{page.status}): did seed_scale make pending referrals?"
        )
    return match.group(1)


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


def _find_document(client_for: ClientFor) -> str:
    """The newest contract document on the provider persona's list."""
    page = client_for("provider").get("/contracts/documents/")
    match = re.search(r'href="/contracts/documents/(\d+)/"', page.body)
    if page.status != 200 or match is None:
        raise BenchError(
            f"no document on the provider's contract document list (GET answered "
            f"{page.status}): did seed_scale make contract documents?"
        )
    return match.group(1)


def _find_purchase_order(client_for: ClientFor) -> str:
    """The first purchase order on the provider persona's list (its whole path)."""
    page = client_for("provider").get("/cplis/purchase-orders/")
    match = re.search(r'href="(/cplis/purchase-orders/\d+/\d+/)"', page.body)
    if page.status != 200 or match is None:
        raise BenchError("no purchase order on the provider's list: did seed_scale make CPLIs?")
    return match.group(1)


# What `{name}` in a page's path stands for, and how to find it once the personas are in.
FINDERS = {
    "document": _find_document,
    "purchase_order": _find_purchase_order,
    "pending_referral": _find_pending_referral,
    "district": _find_district,
    "a_day_ago": _a_day_ago,
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
    return args


def bench(
    args: argparse.Namespace, data_dir: Path, database: PostgresDatabase | None
) -> dict[str, Any]:
    password, passcode = _demo_credentials()
    api_key = scale_api_key()
    log = data_dir / "bench.log"
    env = {
        key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        {
            "CAREBRIDGE_DATA_DIR": str(data_dir),
            "DEBUG": "false",
            "SERVER_TIMING": "true",
            "ALLOWED_HOSTS": "127.0.0.1",
            "HTTPS": "false",
            "SECRET_KEY": secrets.token_urlsafe(48)[:64],
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "carebridge.settings",
        }
    )
    env.pop("STATIC_ROOT", None)
    if database is not None:
        env["DATABASE_URL"] = database.url

    require_seed_scale(env)
    if database is not None:
        database.create()
    run_command(["migrate", "--noinput"], env, log, "creating the schema")
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
        ],
        env,
        log,
        "seeding",
    )
    print(
        f"bench: seeded {args.clients} service users, {args.pending_referrals} pending and "
        f"{args.closed_referrals} closed referrals, {args.contract_documents} contract documents "
        f"in {seed_seconds:.1f} s",
        flush=True,
    )
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

        found: dict[str, str] = {}
        targets: list[Target] = []
        for page in PAGES:
            persona = page.persona
            path = fill_in(page.path, client_for, found)
            if page.fallback is not None and client_for(persona).get(path).status == 403:
                print(f"bench: {path} is 403 for {persona}; measuring as {page.fallback}")
                persona = page.fallback
            targets.append(Target(page, path, persona, client_for(persona)))
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
