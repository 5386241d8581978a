"""Carebridge's reports benchmark: every registered report over a county's year within a fixed
number of queries (counted at two sizes, the second four times the first: they must be equal),
and its page's median within 5x the logged-in minimal view of the same run.

Run from the project root with the project's virtualenv:

    .venv/bin/python bench/reports.py [--providers 1200] [--cplis 12000] [--clients 20000]
                                      [--pending-referrals 5000] [--closed-referrals 200000]
                                      [--front-door-requests 20000] [--repeat 5]
                                      [--database-url postgres://postgres@127.0.0.1:5432/postgres]

Like bench/payment_runs.py it works in a temporary data directory (SQLite), or in a PostgreSQL
database it creates and drops itself, migrates it, and then, in this process, builds its data
at a quarter of the sizes asked for, measures every report, tops the data up to the sizes asked
for and measures again (bench/reports_core.py). See bench/README.md.
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

# The most a report page's median may be, as a multiple of the logged-in minimal view's.
TARGET = 5.0
SIZES = {
    "providers": 1200,
    "cplis": 12000,
    "clients": 20000,
    "pending_referrals": 5000,
    "closed_referrals": 200000,
    "front_door_requests": 20000,
}
REPEAT = 5


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    for name, default in SIZES.items():
        parser.add_argument(
            f"--{name.replace('_', '-')}", type=int, default=default, help=f"({default:,})"
        )
    parser.add_argument(
        "--repeat", type=int, default=REPEAT, help=f"measured requests per page ({REPEAT})"
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
        help="JSON results file (default bench/results/reports-<sqlite|postgresql>.json)",
    )
    args = parser.parse_args(argv)
    if not 4 <= args.providers <= args.cplis or not 1 <= args.repeat <= 50:
        parser.error("4 <= --providers <= --cplis, and --repeat 1..50")
    if min(getattr(args, name) for name in SIZES) < 4:
        parser.error("every size at least 4 (a quarter of it is measured too)")
    return args


def measure(args: argparse.Namespace, vacuum: Any = None) -> dict[str, Any]:
    """Build the quarter size, measure every report, top up to the full size, measure again:
    the report's figures (Django must be set up)."""
    from bench import reports_core as core

    full = core.Size(**{name: getattr(args, name) for name in SIZES})
    sizes = []
    for size in (full.quarter(), full):
        print(f"bench: building {size}", flush=True)
        built = core.build(size)
        if vacuum is not None:
            vacuum()
        print(f"bench: built in {sum(built.steps.values()):.0f} s ({built.steps})", flush=True)
        reports = core.measure(built, args.repeat, lambda line: print(line, flush=True))
        sizes.append(
            {
                **vars(size),
                "actuals": built.actuals,
                "remitted_lines": built.remitted_lines,
                "build_seconds": built.steps,
                "reports": reports,
            }
        )
    return {"repeat": args.repeat, "target": TARGET, "sizes": sizes}


bench = bench_with_pages(measure)


def fixed(report: dict[str, Any]) -> dict[str, bool]:
    """Per report, whether its selector's, page's and downloads' queries were the same at both
    sizes."""
    small, large = ({r["slug"]: r for r in size["reports"]} for size in report["sizes"])
    return {slug: _counts(small.get(slug)) == _counts(row) for slug, row in large.items()}


def _counts(row: dict[str, Any] | None) -> tuple[int, ...] | None:
    if row is None:
        return None
    downloads = tuple(row["downloads"][fmt]["queries"] for fmt in sorted(row["downloads"]))
    return (row["build_queries"], row["page_queries"], *downloads)


def print_table(report: dict[str, Any]) -> None:
    same = fixed(report)
    small, large = report["sizes"]
    print()
    print(
        f"reports on {report['database']} {report['database_version']}: a county of "
        f"{large['providers']:,} providers, {large['cplis']:,} CPLIs, {large['actuals']:,} "
        f"actuals over a year, {large['remitted_lines']:,} remitted lines; seed_scale of "
        f"{large['clients']:,} clients, {large['pending_referrals']:,} pending and "
        f"{large['closed_referrals']:,} closed referrals, {large['front_door_requests']:,} "
        f"front-door requests (and a quarter of each: queries counted at both)"
    )
    header = "report                          rows  queries (1/4)  build s  page ms  x min  csv s  xlsx s  pdf s  same"
    print(header)
    print("-" * len(header))
    quarter = {row["slug"]: row for row in small["reports"]}
    for row in large["reports"]:
        small_row = quarter.get(row["slug"], {})
        counts = f"{row['build_queries']}/{row['page_queries']}"
        small_counts = f"{small_row.get('build_queries', '-')}/{small_row.get('page_queries', '-')}"
        downloads = row["downloads"]
        met = "" if row["page_ratio"] <= report["target"] else " MISSED"
        print(
            f"{row['slug'][:30]:30}  {row['rows']:>6,}  {counts:>5} ({small_counts:>5})  "
            f"{row['build_seconds']:>7.2f}  {row['page_median_ms']:>7.0f}  "
            f"{row['page_ratio']:>4.1f}x{met}  {downloads['csv']['seconds']:>5.2f}  "
            f"{downloads['xlsx']['seconds']:>6.2f}  {downloads['pdf']['seconds']:>5.2f}  "
            f"{'yes' if same[row['slug']] else 'NO'}"
        )
    print()
    print(
        f"queries: the selector's / the page's (in the quarter size); x min: the page's median "
        f"over the logged-in minimal view's (target <= {report['target']:.0f}x); seconds: wall "
        "time in this process, compare ratios between runs, not seconds."
    )


def main(argv: list[str] | None = None) -> int:
    report, code = run_and_save(parse_args(argv), "reports", bench, print_table)
    if report is None:
        return code
    return 0 if all(fixed(report).values()) else 1


if __name__ == "__main__":
    sys.exit(main())
