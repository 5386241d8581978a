"""Carebridge's payment-run benchmark: preparing the run of a county's 4-week period (1,200
providers, 12,000 active CPLIs) must take at most twice a plain bulk insert of its lines,
measured in the same run on the same database; what is due is read in a fixed number of queries
(counted at two sizes, which must be equal), and so are the run page and the scheduled-payments
page.

Run from the project root with the project's virtualenv:

    .venv/bin/python bench/payment_runs.py [--providers 1200] [--cplis 12000] [--repeat 3]
                                           [--database-url postgres://postgres@127.0.0.1:5432/postgres]

Like bench/invoices.py it works in a temporary data directory (SQLite), or in a PostgreSQL
database it creates and drops itself, migrates it, and then, in this process, builds its data
and measures (bench/payment_runs_core.py). See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.actuals import bench_with_pages, run_and_save  # noqa: E402

# The most preparing the run may take, as a multiple of its plain bulk insert.
TARGET = 2.0
PROVIDERS = 1200
CPLIS = 12000
# The second, smaller county whose queries are counted too: a tenth of the first.
SHRINK = 10
REPEAT = 3


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--providers", type=int, default=PROVIDERS, help=f"the county's providers ({PROVIDERS})"
    )
    parser.add_argument(
        "--cplis", type=int, default=CPLIS, help=f"their active CPLIs, about ten each ({CPLIS})"
    )
    parser.add_argument(
        "--repeat", type=int, default=REPEAT, help=f"runs of the measurement; the median ({REPEAT})"
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
        help="JSON results file (default bench/results/payment-runs-<sqlite|postgresql>.json)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="after the measurements, prepare the run once more under cProfile and print "
        "where its time goes",
    )
    args = parser.parse_args(argv)
    if not SHRINK <= args.providers <= args.cplis or not 1 <= args.repeat <= 20:
        parser.error(f"{SHRINK} <= --providers <= --cplis, and --repeat 1..20")
    args.small_providers = args.providers // SHRINK
    args.small_cplis = args.cplis // SHRINK
    return args


def _build(providers: int, cplis: int) -> Any:
    from bench import payment_runs_core as core

    print(
        f"bench: building a county of {providers:,} providers, {cplis:,} CPLIs and its "
        "confirmed, invoiced period",
        flush=True,
    )
    county = core.build(providers, cplis)
    steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in county.steps.items())
    print(f"bench: built in {sum(county.steps.values()):.0f} s ({steps})", flush=True)
    return county


def _pages(counties: list[Any], repeat: int) -> list[dict[str, Any]]:
    """Each page at both sizes (a run prepared at each)."""
    from bench import payment_runs_core as core
    from bench.invoices_core import time_page

    for county in counties:
        core.prepare(county)
    measured = []
    small_pages, large_pages = (core.pages(county) for county in counties)
    for (name, url, small_args, small_user), (_, _, args, user) in zip(
        small_pages, large_pages, strict=True
    ):
        small = time_page(name, url, small_args, small_user, 1)
        large = time_page(name, url, args, user, repeat)
        summary = large.summary()
        summary["queries_small"] = small.queries
        measured.append(summary)
        print(
            f"bench: {name}: {summary['seconds']:.2f} s, {large.queries} queries "
            f"({small.queries} in the small county)",
            flush=True,
        )
    for county in counties:
        core.clear_runs(county)
    return measured


def measure(args: argparse.Namespace, vacuum: Any = None) -> dict[str, Any]:
    """Build both counties, count `due`'s queries at each, time run_prepare at the larger and
    GET the pages at both: the report's figures (Django must be set up)."""
    from bench import payment_runs_core as core

    counties = [
        _build(args.small_providers, args.small_cplis),
        _build(args.providers, args.cplis),
    ]
    if vacuum is not None:
        vacuum()
    large = counties[1]
    counted = []
    for county in counties:
        counted.append(core.count_due(county))
        row = counted[-1]
        print(
            f"bench: due() of {row['lines']:,} lines: {row['queries']} queries, "
            f"{row['seconds']:.2f} s",
            flush=True,
        )
    prepare = core.measure_prepare(large, args.repeat)
    print(
        f"bench: run_prepare of {prepare.rows:,} lines: {prepare.median:.2f} s, baseline "
        f"{prepare.baseline_median:.2f} s",
        flush=True,
    )
    report = {
        "providers": large.providers,
        "cplis": large.cplis,
        "actuals": large.actuals,
        "methods": large.methods,
        "invoices": large.invoices,
        "disputes": large.disputes,
        "build_seconds": large.steps,
        "repeat": args.repeat,
        "due": counted,
        "due_queries_fixed": counted[0]["queries"] == counted[1]["queries"],
        "prepare": prepare.summary(TARGET),
        "pages": _pages(counties, args.repeat),
    }
    if args.profile:
        print(f"\n=== cProfile: run_prepare ===\n{core.profile_prepare(large)}", flush=True)
    return report


bench = bench_with_pages(measure)


def fixed(report: dict[str, Any]) -> bool:
    """Whether every query count was the same at both sizes."""
    return report["due_queries_fixed"] and all(
        page["queries"] == page["queries_small"] for page in report["pages"]
    )


def print_table(report: dict[str, Any]) -> None:
    methods = ", ".join(f"{count:,} {method}" for method, count in report["methods"].items())
    print()
    print(
        f"payment runs on {report['database']} {report['database_version']}: a county of "
        f"{report['providers']:,} providers ({methods}), {report['cplis']:,} CPLIs, "
        f"{report['actuals']:,} actuals in a 4-week period, {report['invoices']:,} invoices, "
        f"{report['disputes']:,} disputes"
    )
    steps = ", ".join(f"{name} {seconds:.1f}" for name, seconds in report["build_seconds"].items())
    print(f"building it took {sum(report['build_seconds'].values()):.0f} s ({steps})")
    print()
    print("due (what the run pays)   providers   CPLIs    lines  left out  queries  seconds")
    for row in report["due"]:
        print(
            f"{'':24}  {row['providers']:>9,}  {row['cplis']:>6,}  {row['lines']:>7,}  "
            f"{row['left_out']:>8,}  {row['queries']:>7}  {row['seconds']:>7.2f}"
        )
    print(f"queries the same at both sizes: {'yes' if report['due_queries_fixed'] else 'NO'}")
    prepare = report["prepare"]
    print()
    print(
        f"{prepare['operation']} ({prepare['queries']} queries, total {prepare['total']}): "
        f"median of {report['repeat']} runs {prepare['seconds']:.2f} s; "
        f"{prepare['baseline']}: {prepare['baseline_seconds']:.2f} s; "
        f"run_discard {prepare['discard_seconds']:.2f} s"
    )
    print(
        f"ratio {prepare['ratio']:.2f}x, target <= {prepare['target']:.0f}x: "
        f"{'met' if prepare['met'] else 'MISSED'}"
    )
    print()
    for page in report["pages"]:
        same = "the same" if page["queries"] == page["queries_small"] else "NOT the same"
        print(
            f"{page['name']}, GET {page['path']}: median {page['seconds']:.2f} s, "
            f"{page['queries']} queries ({page['queries_small']} in the small county: {same}), "
            f"{page['bytes']:,} bytes"
        )
    print()
    print("seconds: wall time in this process; compare ratios between runs, not seconds.")


def main(argv: list[str] | None = None) -> int:
    report, code = run_and_save(parse_args(argv), "payment-runs", bench, print_table)
    if report is None:
        return code
    return 0 if fixed(report) else 1


if __name__ == "__main__":
    sys.exit(main())
