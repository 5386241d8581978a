"""The invoice benchmark (bench/invoices.py) at a tiny size, so that it cannot rot: its data at
two sizes, the pre-invoice's query counts (equal) and the create measured once against its
baseline; the table prints. No timing is checked."""

from __future__ import annotations

import argparse

import pytest

from bench import invoices
from carebridge.payments.models import Invoice

pytestmark = pytest.mark.django_db


def test_it_counts_the_pre_invoices_queries_and_measures_the_create_at_a_tiny_size(capsys):
    args = argparse.Namespace(cplis=8, small_cplis=4, repeat=1, profile=False)
    report = invoices.measure(args)

    assert [row["lines"] for row in report["pre_invoice"]] == [4 * 4, 8 * 4]
    assert report["pre_invoice_queries_fixed"]
    create = report["create"]
    assert create["rows"] == 8 * 4 and create["seconds"] > 0 and create["baseline_seconds"] > 0
    assert report["page"]["queries"] == report["page_queries_small"] > 0
    assert not Invoice.objects.exists()
    invoices.print_table({**report, "database": "sqlite", "database_version": "3"})
    assert "ratio" in capsys.readouterr().out
