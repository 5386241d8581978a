"""Carebridge's actuals benchmark: generating a period and importing a CSV file of actuals, each
against a plain bulk write of the same rows, measured in the same run on the same database.

Run from the project root with the project's virtualenv:

    .venv/bin/python bench/actuals.py [--cplis 12000] [--rows 50000] [--repeat 3]
                                      [--database-url postgres://postgres@127.0.0.1:5432/postgres]

Like bench/run.py it works in a temporary data directory (SQLite), or in a PostgreSQL database it
creates and drops itself (server.py's helpers do both), migrates it, and then, in this process,
builds its data (bench/actuals_core.py) and times the operations. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.server import PostgresDatabase, product_environment, run_command  # noqa: E402
from bench.support import RESULTS, BenchError  # noqa: E402

# The most each operation may take, as a multiple of its plain bulk write.
TARGET = 3.0
CPLIS = 12000
ROWS = 50000  # the most csvio imports from one file (csvio.MAX_ROWS)
REPEAT = 3


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cplis", type=int, default=CPLIS, help=f"active CPLIs ({CPLIS})")
    parser.add_argument(
        "--rows", type=int, default=ROWS, help=f"rows of the imported CSV file ({ROWS})"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=REPEAT,
        help=f"runs of each measurement; the median ({REPEAT})",
    )
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
        help="JSON results file (default bench/results/actuals-<sqlite|postgresql>.json)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="after the measurements, run each operation once more under cProfile and print "
        "where its time goes",
    )
    args = parser.parse_args(argv)
    if args.cplis < 1 or not 1 <= args.rows <= ROWS or not 1 <= args.repeat <= 20:
        parser.error(f"--cplis >= 1, --rows 1..{ROWS} (one file's most), --repeat 1..20")
    if args.rows > args.cplis * 20:
        parser.error("--rows may be at most 20 weeks of --cplis lines")
    return args


def _start_django(env: dict[str, str]) -> None:
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()


def bench(args: argparse.Namespace, data_dir: Path, database: PostgresDatabase | None) -> dict:
    env = product_environment(data_dir, database)
    log = data_dir / "bench.log"
    if database is not None:
        database.create()
    run_command(["migrate", "--noinput"], env, log, "creating the schema")
    _start_django(env)
    from bench import actuals_core as core

    print(f"bench: building {args.cplis:,} active CPLIs and opening the periods", flush=True)
    fixture = core.build_fixture(args.cplis)
    file = core.csv_file(fixture, args.rows)
    if database is not None:
        database.vacuum_analyze()
    print(
        f"bench: {len(fixture.lines):,} CPLIs; generating {len(fixture.generate_weeks)} weeks; "
        f"a {file.rows:,}-row file over {len(file.weeks)} weeks, {file.changed:,} rows changed; "
        f"each measured {args.repeat} times",
        flush=True,
    )
    generate = _report_on(core.measure_generate(fixture, args.repeat))
    new = _report_on(core.measure_import_new(fixture, file, args.repeat))
    over_plan = _report_on(core.measure_import_over_plan(fixture, file, args.repeat))
    measurements = [generate, new, over_plan]
    # Each operation must have written what it should, or its time means nothing.
    for measurement, written, wanted in (
        (generate, generate.rows, len(fixture.lines) * len(fixture.generate_weeks)),
        (new, new.result["changed"], file.rows),
        (over_plan, over_plan.result["changed"], file.changed),
    ):
        if written != wanted:
            raise BenchError(f"{measurement.name}: {written} rows written, expected {wanted}")
    if args.profile:
        for name, setup, operation in core.profiled_operations(fixture, file):
            print(f"\n=== cProfile: {name} ===\n{core.profile(setup, operation)}", flush=True)

    from django.db import connection

    return {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": "postgresql" if database is not None else "sqlite",
        "database_version": _database_version(connection),
        "cplis": len(fixture.lines),
        "file_rows": file.rows,
        "file_rows_changed": file.changed,
        "file_weeks": [week.isoformat() for week in file.weeks],
        "generated_weeks": [week.isoformat() for week in fixture.generate_weeks],
        "repeat": args.repeat,
        "measurements": [measurement.summary(TARGET) for measurement in measurements],
    }


def bench_with_pages(
    measure: Callable[[argparse.Namespace, Any], dict[str, Any]],
) -> Callable[[argparse.Namespace, Path, PostgresDatabase | None], dict[str, Any]]:
    """A bench (for `run_and_save`) whose `measure(args, vacuum)` also requests pages: the
    schema, the compiled assets and the static files first, then Django in this process, and
    the report dated and named by its database."""

    def bench_fn(
        args: argparse.Namespace, data_dir: Path, database: PostgresDatabase | None
    ) -> dict[str, Any]:
        # The pages are requested with Django's test client, whose host is "testserver".
        env = {**product_environment(data_dir, database), "ALLOWED_HOSTS": "testserver"}
        log = data_dir / "bench.log"
        if database is not None:
            database.create()
        run_command(["migrate", "--noinput"], env, log, "creating the schema")
        if not (ROOT / "build" / "static" / "app.css").exists():
            raise BenchError(
                "the compiled assets are missing (the pages need them): run `make assets`"
            )
        run_command(["collectstatic", "--noinput"], env, log, "collecting static files")
        _start_django(env)
        report = measure(args, database.vacuum_analyze if database is not None else None)
        from django.db import connection

        return {
            "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "database": "postgresql" if database is not None else "sqlite",
            "database_version": _database_version(connection),
            **report,
        }

    return bench_fn


def _report_on(measurement: Any) -> Any:
    print(
        f"bench: {measurement.name}: {measurement.median:.2f} s, baseline "
        f"{measurement.baseline_median:.2f} s",
        flush=True,
    )
    return measurement


def _database_version(connection: Any) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        return str(cursor.fetchone()[0])


def print_table(report: dict[str, Any]) -> None:
    header = ("operation", "rows", "seconds", "baseline", "baseline s", "ratio", "target")
    lines = [
        (
            row["name"],
            f"{row['rows']:,}",
            f"{row['seconds']:.2f}",
            row["baseline"].removeprefix("Actual.objects."),
            f"{row['baseline_seconds']:.2f}",
            f"{row['ratio']:.1f}x",
            f"<= {row['target']:.0f}x {'met' if row['met'] else 'MISSED'}",
        )
        for row in report["measurements"]
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines, strict=True)]
    numeric = {1, 2, 4, 5}

    def format_line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            cell.rjust(width) if index in numeric else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )

    print()
    print(
        f"actuals on {report['database']} {report['database_version']}: {report['cplis']:,} "
        f"CPLIs, median of {report['repeat']} runs"
    )
    print(format_line(header))
    print("  ".join("-" * width for width in widths))
    for line in lines:
        print(format_line(line))
    print()
    print("seconds: the product's operation, wall time in this process, from the same table state")
    print("as its baseline: a plain bulk write of the same rows, same batch size, in the same run.")


def run_and_save(
    args: argparse.Namespace,
    name: str,
    bench_fn: Callable[[argparse.Namespace, Path, PostgresDatabase | None], dict[str, Any]],
    print_table: Callable[[dict[str, Any]], None],
) -> tuple[dict[str, Any] | None, int]:
    """Run a bench in a scratch data directory (and PostgreSQL database when asked), cleaning up
    whatever happens, then print and save its report: (the report, 0), or (None, exit code)."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"carebridge-bench-{name}-"))
    database: PostgresDatabase | None = None
    try:
        database = PostgresDatabase(args.database_url) if args.database_url else None
        report = bench_fn(args, data_dir, database)
    except BenchError as error:
        print(f"\nbench: error: {error}", file=sys.stderr)
        return None, 1
    except KeyboardInterrupt:
        print("\nbench: interrupted; cleaning up", file=sys.stderr)
        return None, 130
    finally:
        try:
            _close_connections()
            if database is not None:
                database.drop()
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)
    print_table(report)
    output = args.output or RESULTS / f"{name}-{report['database']}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nbench: results written to {output}")
    return report, 0


def main(argv: list[str] | None = None) -> int:
    _report, code = run_and_save(parse_args(argv), "actuals", bench, print_table)
    return code


def _close_connections() -> None:
    """Let go of the bench database before it is dropped (if Django got that far)."""
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


if __name__ == "__main__":
    sys.exit(main())
