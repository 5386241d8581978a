"""Carebridge's invoice benchmark: the invoice wizard of a service with 2,000 CPLIs in a 4-week
period (8,000 confirmed actuals). Its pre-invoice must run a fixed number of queries (counted at
two sizes, which must be equal), and creating the invoice of all its lines must take at most
twice a plain bulk insert of the same lines, measured in the same run on the same database.

Run from the project root with the project's virtualenv:

    .venv/bin/python bench/invoices.py [--cplis 2000] [--small-cplis 200] [--repeat 3]
                                       [--database-url postgres://postgres@127.0.0.1:5432/postgres]

Like bench/actuals.py it works in a temporary data directory (SQLite), or in a PostgreSQL database
it creates and drops itself, migrates it, and then, in this process, builds its data and measures
(bench/invoices_core.py). See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.actuals import bench_with_pages, run_and_save  # noqa: E402

# The most creating the invoice may take, as a multiple of its plain bulk insert.
TARGET = 2.0
CPLIS = 2000
SMALL_CPLIS = 200
REPEAT = 3


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--cplis", type=int, default=CPLIS, help=f"CPLIs of the invoiced service ({CPLIS})"
    )
    parser.add_argument(
        "--small-cplis",
        type=int,
        default=SMALL_CPLIS,
        help=f"CPLIs of a second service whose pre-invoice's queries are counted too "
        f"({SMALL_CPLIS})",
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
        help="JSON results file (default bench/results/invoices-<sqlite|postgresql>.json)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="after the measurements, create the invoice once more under cProfile and print "
        "where its time goes",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.small_cplis < args.cplis or not 1 <= args.repeat <= 20:
        parser.error("1 <= --small-cplis < --cplis, and --repeat 1..20")
    return args


def measure(args: argparse.Namespace, vacuum: Any = None) -> dict[str, Any]:
    """Build both sizes, count the pre-invoice's queries at each, time invoice_create at the
    larger: the report's figures (Django must be set up)."""
    from bench import invoices_core as core

    sizes = []
    for cplis in (args.small_cplis, args.cplis):
        print(
            f"bench: building a service with {cplis:,} CPLIs and its confirmed period", flush=True
        )
        sizes.append(core.build(cplis))
    if vacuum is not None:
        vacuum()
    small, large = sizes
    counted = []
    for sized in sizes:
        queries, seconds = core.count_pre_invoice(sized)
        counted.append(
            {"cplis": sized.cplis, "lines": sized.lines, "queries": queries, "seconds": seconds}
        )
        print(
            f"bench: pre_invoice of {sized.lines:,} lines: {queries} queries, {seconds:.2f} s",
            flush=True,
        )
    create = core.measure_create(large, args.repeat)
    print(
        f"bench: invoice_create of {create.rows:,} lines: {create.median:.2f} s, baseline "
        f"{create.baseline_median:.2f} s",
        flush=True,
    )
    page = core.measure_page(large, args.repeat)
    small_page = core.measure_page(small, 1)
    print(
        f"bench: the pre-invoice page of {large.lines:,} lines: "
        f"{statistics.median(page.seconds):.2f} s, {page.queries} queries",
        flush=True,
    )
    report = {
        "cplis": large.cplis,
        "small_cplis": small.cplis,
        "lines": large.lines,
        "repeat": args.repeat,
        "pre_invoice": [{**row, "seconds": round(row["seconds"], 3)} for row in counted],
        "pre_invoice_queries_fixed": counted[0]["queries"] == counted[1]["queries"],
        "create": create.summary(TARGET),
        "page": page.summary(),
        "page_queries_small": small_page.queries,
    }
    if args.profile:
        print(f"\n=== cProfile: invoice_create ===\n{core.profile_create(large)}", flush=True)
    return report


bench = bench_with_pages(measure)


def print_table(report: dict[str, Any]) -> None:
    print()
    print(
        f"invoices on {report['database']} {report['database_version']}: a service with "
        f"{report['cplis']:,} CPLIs, {report['lines']:,} confirmed actuals in a 4-week period"
    )
    print()
    print("pre-invoice (the wizard's read)   CPLIs   lines  queries  seconds")
    for row in report["pre_invoice"]:
        print(
            f"{'':32}  {row['cplis']:>5,}  {row['lines']:>6,}  {row['queries']:>7}  "
            f"{row['seconds']:>7.2f}"
        )
    fixed = report["pre_invoice_queries_fixed"]
    print(f"queries the same at both sizes: {'yes' if fixed else 'NO'}")
    create = report["create"]
    print()
    print(
        f"{create['operation']} ({create['queries']} queries, total {create['total']}): "
        f"median of {report['repeat']} runs {create['seconds']:.2f} s; "
        f"{create['baseline']}: {create['baseline_seconds']:.2f} s"
    )
    print(
        f"ratio {create['ratio']:.2f}x, target <= {create['target']:.0f}x: "
        f"{'met' if create['met'] else 'MISSED'}"
    )
    page = report["page"]
    print(
        f"the pre-invoice page, GET {page['path']}: median {page['seconds']:.2f} s, "
        f"{page['queries']} queries ({report['page_queries_small']} at "
        f"{report['small_cplis']:,} CPLIs), {page['bytes']:,} bytes"
    )
    print()
    print("seconds: wall time in this process; compare ratios between runs, not seconds.")


def main(argv: list[str] | None = None) -> int:
    report, code = run_and_save(parse_args(argv), "invoices", bench, print_table)
    if report is None:
        return code
    return 0 if report["pre_invoice_queries_fixed"] else 1


if __name__ == "__main__":
    sys.exit(main())
