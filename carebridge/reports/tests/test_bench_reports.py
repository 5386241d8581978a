"""The reports benchmark (bench/reports.py) at a tiny size, so that it cannot rot: both sizes
built, every registered report measured at each as someone who may use it, its selector, page
and downloads; the query counts equal at both sizes; the table prints. No timing is checked."""

from __future__ import annotations

import argparse

import pytest

from bench import reports
from carebridge.reports.base import REGISTRY

pytestmark = pytest.mark.django_db

SIZES = {
    "providers": 8,
    "cplis": 32,
    "clients": 40,
    "pending_referrals": 8,
    "closed_referrals": 40,
    "front_door_requests": 40,
}


def test_it_measures_every_registered_report_at_two_sizes_with_the_same_queries(capsys):
    report = reports.measure(argparse.Namespace(repeat=1, **SIZES))

    small, large = report["sizes"]
    assert small["providers"] == 2 and small["cplis"] == 8 and large["cplis"] == 32
    # A year of weekly actuals: 52 weeks of each of the 32 CPLIs.
    assert large["actuals"] == 32 * 52
    assert large["remitted_lines"] > small["remitted_lines"] > 0
    assert sorted(row["slug"] for row in large["reports"]) == sorted(REGISTRY)
    for row in large["reports"]:
        assert row["build_queries"] > 0 and row["page_queries"] > 0
        assert set(row["downloads"]) == {"csv", "xlsx", "pdf"}
        assert all(d["bytes"] > 0 for d in row["downloads"].values())
    assert reports.fixed(report) == dict.fromkeys(REGISTRY, True)
    # The finalised run's remittance and the year of actuals are found over the year.
    rows = {row["slug"]: row["rows"] for row in large["reports"]}
    assert rows.get("remittance-advice", 1) > 0 and rows.get("commissioned-v-actuals", 1) > 0
    reports.print_table({**report, "database": "sqlite", "database_version": "3"})
    assert "x min" in capsys.readouterr().out
