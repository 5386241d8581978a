"""The payment-run benchmark (bench/payment_runs.py) at a tiny size, so that it cannot rot: two
counties built, `due`'s query counts (equal), the run prepared and measured once against its
baseline, the pages requested at both sizes; the table prints. No timing is checked."""

from __future__ import annotations

import argparse

import pytest

from bench import payment_runs
from carebridge.payments.choices import LineSource
from carebridge.payments.models import PaymentLine, PaymentRun

pytestmark = pytest.mark.django_db

# Two in ten providers paid on invoice, one on schedule, the rest self-billing; ten CPLIs each.
PROVIDERS, CPLIS = 20, 80


def test_it_counts_dues_queries_and_measures_preparing_the_run_at_a_tiny_size(capsys):
    args = argparse.Namespace(
        providers=PROVIDERS,
        cplis=CPLIS,
        small_providers=PROVIDERS // 2,
        small_cplis=CPLIS // 2,
        repeat=1,
        profile=False,
    )
    report = payment_runs.measure(args)

    assert report["methods"] == {"on_invoice": 4, "self_billing": 14, "on_schedule": 2}
    assert report["actuals"] == CPLIS * 4 and report["invoices"] == 4
    assert report["disputes"] == 5
    small, large = report["due"]
    assert report["due_queries_fixed"] and small["queries"] == large["queries"] > 0
    # Every disputed pair of rows is left out, and listed.
    assert large["left_out"] == 5
    prepare = report["prepare"]
    assert prepare["rows"] == large["lines"] > small["lines"] > 0
    # Self-billed weeks (those of 14 providers' 56 CPLIs, less the 10 disputed rows), the
    # invoices' lines (8 providers' 16 CPLIs) and the scheduled blocks all paid.
    assert prepare["sources"][LineSource.ACTUAL] == 56 * 4 - 10
    assert prepare["sources"][LineSource.INVOICE_LINE] == 16 * 4
    assert prepare["sources"][LineSource.SCHEDULE] > 0
    assert prepare["seconds"] > 0 and prepare["baseline_seconds"] > 0
    for page in report["pages"]:
        assert page["queries"] == page["queries_small"] > 0
    assert payment_runs.fixed(report)
    # Nothing of the measurements is left behind.
    assert not PaymentRun.objects.exists() and not PaymentLine.objects.exists()
    payment_runs.print_table({**report, "database": "sqlite", "database_version": "3"})
    assert "ratio" in capsys.readouterr().out
