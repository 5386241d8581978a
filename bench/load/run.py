"""The load test: the Tuesday peak (bench/load/locustfile.py) against the scale data set on
PostgreSQL, gunicorn and Redis on loopback, at a list of user counts.

    .venv/bin/python bench/load/run.py [--users 50,100,200,300,400] [--duration 3m] [--small]
                                       [--web 1 --workers 1 --proxy]

It makes a PostgreSQL database of its own (dropped at the end), migrates, runs `seed_scale`
(`--county`, or a small data set with --small), VACUUM ANALYZE and collectstatic, starts the
stack (bench/load/stack.py), then runs locust headless once per user count. Each run's
statistics start once every user has logged in (the ramp-up is left out), and each step is
reported with its p50/p95/p99, requests, errors and requests per second, its p95 as a ratio to
/healthz's in the same run; then the target check (300 users: every step's p95 <= 300 ms, no
errors), the saturation point and the throughput each step sustains at p95 <= 500 ms. Markdown
to stdout, JSON to bench/results/load-<timestamp>.json. See bench/load/README.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

if str(Path(__file__).resolve().parents[2]) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.load.connect import connect
from bench.load.effects import count_effects
from bench.load.stack import stack
from bench.server import PostgresDatabase, log_tail, product_environment, run_command
from bench.support import RESULTS, ROOT, WORKERS, BenchError

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
PORTS = range(18200, 18300)
REDIS_DB = 3
TARGET_USERS = 300
TARGET_P95_MS = 300.0
SATURATION_P95_MS = 500.0
# Seconds between the last user's log-in and the statistics' start: the log-ins' argon2 hashes
# leave a queue behind them, which is the ramp-up's, not the load's (LOAD_SETTLE in locustfile).
SETTLE = 30
# The steps that happen once per user, while it starts: reported, never held to the targets.
START_STEPS = ("log-in: ",)
# A quick try: a council a tenth of the county's size, with its own provider log-ins.
SMALL = [
    *[
        "--clients",
        "2000",
        "--providers",
        "60",
        "--provider-logins",
        "60",
        "--pending-referrals",
        "500",
    ],
    *["--closed-referrals", "5000", "--contract-documents", "1500", "--actions", "500"],
    *["--front-door-requests", "1000", "--directory-services", "300"],
    # Every week of the providers' services generated, so the weekly journey can confirm.
    *["--actuals-year", "--year-weeks", "4", "--invoices", "20", "--payment-runs", "2"],
]


def seed_arguments(small: bool) -> list[str]:
    """seed_scale's arguments: the county, or the small council for a quick try."""
    return SMALL if small else ["--county"]


def logins_in(database: PostgresDatabase) -> dict[str, str]:
    """The locust users' log-ins the data has: numbered provider log-ins, a payments officer."""
    sql = (
        "SELECT (SELECT count(*) FROM accounts_user WHERE email ~ '^provider[0-9]{4}@scale'),"
        " (SELECT count(*) FROM accounts_user WHERE email = 'payments@scale.example')"
    )
    providers, payments = database.query(sql).split()
    return {"providers": providers, "payments": "yes" if int(payments) else ""}


# --- One locust run --------------------------------------------------------------------------


def run_locust(
    args: argparse.Namespace, users: int, base_url: str, out: Path, env: dict[str, str]
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Locust headless at `users` users for the ramp-up and the duration: each step's figures,
    and how busy the machine's cores were (locust's own share apart)."""
    rate = max(1.0, users / args.ramp_up)
    classes = ["HealthProbe", "ProviderWeek", "ProviderReferrals", "Broker", "Resident"]
    if env.get("LOAD_PAYMENTS_LOGIN"):
        classes.append("PaymentsOfficer")
    command = [
        *(sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"),
        *("-u", str(users), "-r", f"{rate:.2f}", "-t", f"{args.ramp_up + SETTLE + args.duration}s"),
        *("--csv", str(out / f"u{users}"), "--csv-full-history", "--host", base_url),
        *("--only-summary", "--stop-timeout", "20", "--exit-code-on-error", "0"),
        *classes,
    ]
    print(f"load: {users} users, {rate:.1f}/s, for {args.ramp_up}+{SETTLE}+{args.duration} s",
          flush=True)  # fmt: skip
    machine, children = machine_cpu(), resource.getrusage(resource.RUSAGE_CHILDREN)
    with (out / f"u{users}.log").open("w") as log:
        completed = subprocess.run(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=args.ramp_up + SETTLE + args.duration + 300,
            check=False,
        )
    if completed.returncode != 0:
        raise BenchError(
            f"locust exited with {completed.returncode}:\n{log_tail(out / f'u{users}.log')}"
        )
    cpu = cpu_shares(machine, children)
    return read_stats(out / f"u{users}_stats.csv", out / f"u{users}_failures.csv"), cpu


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat's first line."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle and iowait
    hertz = os.sysconf("SC_CLK_TCK")
    return (sum(ticks) - idle) / hertz, sum(ticks) / hertz


def cpu_shares(machine: tuple[float, float], children: Any) -> dict[str, float]:
    """How busy the machine's cores were over a locust run (ramp-up included), and how much of
    that was locust itself: the users run on the same cores as the server, so what locust takes
    is not the server's."""
    busy, total = (now - then for now, then in zip(machine_cpu(), machine, strict=True))
    done = resource.getrusage(resource.RUSAGE_CHILDREN)
    locust = (done.ru_utime - children.ru_utime) + (done.ru_stime - children.ru_stime)
    cores = os.cpu_count() or 1
    return {
        "machine_busy_pct": round(100 * busy / total, 1) if total else 0.0,
        "locust_cores": round(locust * cores / total, 2) if total else 0.0,
        "cores": cores,
    }


def _ms(text: str) -> float:
    return float(text) if text not in {"", "N/A"} else 0.0


def read_stats(stats: Path, failures: Path) -> list[dict[str, Any]]:
    """Each step's figures from locust's CSV (the Aggregated row left out), with its errors."""
    errors: dict[str, list[str]] = {}
    if failures.exists():
        with failures.open() as lines:
            for row in csv.DictReader(lines):
                errors.setdefault(row["Name"], []).append(f"{row['Occurrences']}x {row['Error']}")
    steps = []
    with stats.open() as lines:
        for row in csv.DictReader(lines):
            # A step seen only before the statistics started again (a log-in) has no figures.
            if row["Name"] == "Aggregated" or int(row["Request Count"]) == 0:
                continue
            steps.append(
                {
                    "step": row["Name"],
                    "method": row["Type"],
                    "requests": int(row["Request Count"]),
                    "errors": int(row["Failure Count"]),
                    "rps": round(float(row["Requests/s"]), 2),
                    "p50": _ms(row["50%"]),
                    "p95": _ms(row["95%"]),
                    "p99": _ms(row["99%"]),
                    "error_messages": errors.get(row["Name"], [])[:3],
                }
            )
    return steps


# --- The figures -----------------------------------------------------------------------------


def _held_to_targets(step: dict[str, Any]) -> bool:
    return not step["step"].startswith(START_STEPS)


def with_ratios(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each step's p95 as a multiple of /healthz's p95 in the same run."""
    probe = next((s for s in steps if s["step"] == "healthz"), None)
    base = probe["p95"] if probe and probe["p95"] > 0 else None
    for step in steps:
        step["x_healthz"] = round(step["p95"] / base, 1) if base else None
    return steps


def summary(runs: dict[int, list[dict[str, Any]]]) -> dict[str, Any]:
    """The target check, the saturation point and each step's sustained throughput."""
    target: dict[str, Any] = {"users": TARGET_USERS, "measured": TARGET_USERS in runs}
    if TARGET_USERS in runs:
        steps = runs[TARGET_USERS]
        slow = [s["step"] for s in steps if _held_to_targets(s) and s["p95"] > TARGET_P95_MS]
        errors = sum(s["errors"] for s in steps)
        target |= {"slow_steps": slow, "errors": errors, "met": not slow and errors == 0}
    saturation = None
    for users in sorted(runs):
        over = [s for s in runs[users] if _held_to_targets(s) and s["p95"] > SATURATION_P95_MS]
        if over:
            worst = max(over, key=lambda s: s["p95"])
            saturation = {"users": users, "step": worst["step"], "p95": worst["p95"],
                          "steps_over": [s["step"] for s in over]}  # fmt: skip
            break
    # A step whose p95 is over 500 ms at every user count sustains nothing: null.
    sustained: dict[str, dict[str, Any] | None] = {}
    for users in sorted(runs):
        for s in runs[users]:
            best = sustained.setdefault(s["step"], None)
            if s["p95"] <= SATURATION_P95_MS and (best is None or s["rps"] >= best["rps"]):
                sustained[s["step"]] = {"rps": s["rps"], "users": users, "p95": s["p95"]}
    return {"target": target, "saturation": saturation, "sustained": sustained}


def markdown(report: dict[str, Any]) -> str:
    lines = [f"# Load test, {report['when']} ({report['stack']})", ""]
    for users, steps in report["runs"].items():
        lines += [
            f"## {users} users ({report['measured_seconds'][users]:.0f} s measured)",
            "",
            cpu_line(report["cpu"].get(users)),
            "",
            "| step | requests | errors | req/s | p50 ms | p95 ms | p99 ms | p95 x healthz |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for s in sorted(steps, key=lambda s: s["step"]):
            ratio = "" if s["x_healthz"] is None else f"{s['x_healthz']}x"
            lines.append(
                f"| {s['step']} ({s['method']}) | {s['requests']} | {s['errors']} | {s['rps']} "
                f"| {s['p50']:.0f} | {s['p95']:.0f} | {s['p99']:.0f} | {ratio} |"
            )
        errors = [f"- {s['step']}: {m}" for s in steps for m in s["error_messages"]]
        lines += ["", *(["Errors:", *errors, ""] if errors else [])]
    lines += summary_lines(report["summary"])
    lines += ["", f"Background effects logged: {report['actions']}"]
    lines += [f"Background effects counted (lost, doubled): {report['effects']['total']}"]
    return "\n".join(lines)


def cpu_line(cpu: dict[str, float] | None) -> str:
    if not cpu:
        return "CPU: not measured"
    return (
        f"CPU over the run: the machine's {cpu['cores']} cores {cpu['machine_busy_pct']}% busy; "
        f"locust itself used {cpu['locust_cores']} of them"
    )


def summary_lines(found: dict[str, Any]) -> list[str]:
    target = found["target"]
    if not target["measured"]:
        check = f"not measured ({TARGET_USERS} users not in --users)"
    elif target["met"]:
        check = "MET"
    else:
        check = f"MISSED: p95 over {TARGET_P95_MS:.0f} ms: {', '.join(target['slow_steps']) or 'none'}; {target['errors']} errors"
    saturation = found["saturation"]
    where = (
        f"{saturation['users']} users: {saturation['step']} p95 {saturation['p95']:.0f} ms "
        f"(over {SATURATION_P95_MS:.0f} ms: {', '.join(saturation['steps_over'])})"
        if saturation
        else f"not reached: every step's p95 <= {SATURATION_P95_MS:.0f} ms at every user count"
    )
    lines = [
        "## Summary",
        "",
        f"- Target ({TARGET_USERS} users, every step's p95 <= {TARGET_P95_MS:.0f} ms, 0 errors): "
        f"{check}",
        f"- Saturation point: {where}",
        "",
        f"| step | sustained req/s at p95 <= {SATURATION_P95_MS:.0f} ms | at users | p95 ms |",
        "| --- | ---: | ---: | ---: |",
    ]
    for step, best in sorted(found["sustained"].items()):
        if best is None:
            lines.append(
                f"| {step} | none: p95 over {SATURATION_P95_MS:.0f} ms at every count | | |"
            )
            continue
        lines.append(f"| {step} | {best['rps']} | {best['users']} | {best['p95']:.0f} |")
    return lines


# --- The whole run ---------------------------------------------------------------------------


def prepare(args: argparse.Namespace, data_dir: Path, database: PostgresDatabase) -> dict[str, str]:
    """The database built, seeded, vacuumed; static files collected; the users' environment."""
    env = {**product_environment(data_dir, database), "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    log = data_dir / "load.log"
    database.create()
    if args.from_dump:
        # A county takes a quarter of an hour to seed on two cores: seed once, dump it
        # (`pg_dump -Fc`), and restore it into each run's own database in a minute or two.
        taken = database.restore(args.from_dump, log)
        seed = [f"restored from {args.from_dump.name} in {taken:.0f} s"]
    else:
        seed = seed_arguments(args.small)
    run_command(["migrate", "--noinput"], env, log, "creating the schema")
    if not args.from_dump:
        run_command(["seed_scale", *seed], env, log, "seeding")
    database.vacuum_analyze()
    run_command(["collectstatic", "--noinput"], env, log, "collecting static files")
    found = logins_in(database)
    print(f"load: {found['providers']} provider log-ins; payments officer: "
          f"{'yes' if found['payments'] else 'none (no payments users)'}", flush=True)  # fmt: skip
    return {
        **env,
        "SEED": " ".join(seed),
        "LOAD_PROVIDER_LOGINS": found["providers"],
        "LOAD_PAYMENTS_LOGIN": "payments@scale.example" if found["payments"] else "",
        "LOAD_ACTIONS_LOG": str(args.actions_log or data_dir / "actions.jsonl"),
    }


def load(args: argparse.Namespace, data_dir: Path, database: PostgresDatabase) -> dict[str, Any]:
    env = prepare(args, data_dir, database)
    out = data_dir / "locust"
    out.mkdir()
    runs: dict[int, list[dict[str, Any]]] = {}
    measured: dict[int, float] = {}
    cpu: dict[int, dict[str, float]] = {}
    ports = range(args.ports[0], args.ports[1] + 1)
    with stack(env, data_dir, web=args.web, workers=args.workers, proxy=args.proxy,
               web_workers=args.web_workers,
               redis_db=args.redis_db, log_dir=data_dir / "logs", ports=ports) as base_url:  # fmt: skip
        since = datetime.datetime.now(datetime.UTC)
        # After `since`: the first poll of the simulator's feed and its acknowledgements count.
        connected = connect(env, data_dir, redis_db=args.redis_db)
        print(f"load: connected to the simulator: {connected}", flush=True)
        users_env = {**env, "LOAD_RESET_AFTER_START": "1", "LOAD_SETTLE": str(SETTLE),
                     "PYTHONPATH": str(ROOT)}  # fmt: skip
        for users in args.users:
            found, cpu[users] = run_locust(args, users, base_url, out, users_env)
            runs[users] = steps = with_ratios(found)
            total = sum(s["requests"] for s in steps)
            rps = sum(s["rps"] for s in steps)
            measured[users] = total / rps if rps else 0.0
        # While the stack is up: the consumers drain the queue before the effects are counted.
        effects = count_effects(env, data_dir, redis_db=args.redis_db,
                                actions_log=Path(env["LOAD_ACTIONS_LOG"]), since=since)  # fmt: skip
    if args.csv_dir:
        shutil.copytree(out, args.csv_dir, dirs_exist_ok=True)
    kinds = Counter()
    log = Path(env["LOAD_ACTIONS_LOG"])
    if log.exists():
        kinds.update(json.loads(line)["kind"] for line in log.read_text().splitlines() if line)
    return {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "stack": f"web {args.web} x {args.web_workers} sync workers, Huey consumers "
        f"{args.workers}, proxy {args.proxy or args.web > 1}",
        "seed": env["SEED"],
        "provider_logins": int(env["LOAD_PROVIDER_LOGINS"]),
        "duration_seconds": args.duration,
        "ramp_up_seconds": args.ramp_up,
        "measured_seconds": measured,
        "cpu": cpu,
        "runs": runs,
        "summary": summary(runs),
        "actions": dict(kinds),
        "effects": effects,
    }


def seconds(text: str) -> int:
    found = re.fullmatch(r"(\d+)([smh]?)", text.strip())
    if found is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration like 90s, 3m or 1h")
    return int(found[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[found[2]]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = parser.add_argument
    add("--users", default="50,100,200,300,400", help="user counts, in order (50,...,400)")
    add("--duration", type=seconds, default=180, help="measured time per user count (3m)")
    add("--ramp-up", type=seconds, default=30, help="users start over this long (30s)")
    add("--small", action="store_true", help="a small data set, for a quick try")
    add("--from-dump", type=Path, help="restore this pg_dump -Fc of a seeded database, not seed")
    add("--web", type=int, default=1, help="gunicorn processes (1)")
    add("--workers", type=int, default=1, help="Huey consumers (1)")
    add("--web-workers", type=int, default=WORKERS, help=f"sync workers a gunicorn ({WORKERS})")
    add("--proxy", action="store_true", help="nginx in front (always with --web > 1)")
    add("--database-url", default=os.environ.get("DATABASE_URL")
        or "postgres://postgres@127.0.0.1:5432/postgres", help="the PostgreSQL server")  # fmt: skip
    add("--redis-db", type=int, default=REDIS_DB, help=f"the Redis database, flushed ({REDIS_DB})")
    add("--ports", type=int, nargs=2, default=(PORTS.start, PORTS.stop - 1), metavar=("FIRST", "LAST"),
        help=f"the stack's loopback ports ({PORTS.start} {PORTS.stop - 1})")  # fmt: skip
    add("--actions-log", type=Path, help="the background effects' log (in the run's directory)")
    add("--csv-dir", type=Path, help="keep locust's CSV files here")
    add("--output", type=Path, help="JSON results (bench/results/load-<timestamp>.json)")
    args = parser.parse_args(argv)
    try:
        args.users = [int(n) for n in args.users.split(",")]
    except ValueError:
        parser.error("--users is a list of numbers, like 50,100,200")
    if not args.users or min(args.users) < 1 or args.duration < 10 or args.ramp_up < 1:
        parser.error("--users >= 1 each, --duration >= 10s, --ramp-up >= 1s")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    data_dir = Path(tempfile.mkdtemp(prefix="carebridge-load-"))
    database = None
    try:
        database = PostgresDatabase(args.database_url)
        report = load(args, data_dir, database)
    except BenchError as error:
        print(f"\nload: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nload: interrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        try:
            if database is not None:
                database.drop()
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)
    print(markdown(report))
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    output = args.output or RESULTS / f"load-{stamp}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nload: results written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
