"""Measuring the pages in turns, and the figures: medians, 95th percentiles, ratios to the minimal
views, query counts, and the table printed at the end."""

from __future__ import annotations

import collections
import statistics
from dataclasses import dataclass, field
from typing import Any

from bench.browser import Client, Response
from bench.pages import (
    Page,
)
from bench.support import (
    BenchError,
)

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
