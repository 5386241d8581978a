"""The actuals benchmark (bench/actuals.py) at a tiny size, so that it cannot rot: its data, its
file and every measurement run once, and the table prints. No timing is checked. And the page
benchmark's actuals: seed_scale generates the provider persona's last ended week."""

from __future__ import annotations

import pytest

from bench import actuals, actuals_core
from carebridge.accounts.models import User
from carebridge.actuals.models import Actual
from carebridge.actuals.periods import WEEK, week_of
from carebridge.core.calendar import today
from carebridge.demo.scale import SCALE_SLUG, seed_scale

pytestmark = pytest.mark.django_db

CPLIS = 20
ROWS = 50


def test_it_measures_generating_and_importing_at_a_tiny_size(capsys):
    fixture = actuals_core.build_fixture(CPLIS)
    file = actuals_core.csv_file(fixture, ROWS)
    assert file.rows == ROWS
    assert file.changed == ROWS // actuals_core.CHANGE_EVERY
    assert len(file.weeks) == 3  # two whole weeks of 20 lines, then 10 rows of the week before

    generate = actuals_core.measure_generate(fixture, 1)
    new = actuals_core.measure_import_new(fixture, file, 1)
    over_plan = actuals_core.measure_import_over_plan(fixture, file, 1)

    assert generate.rows == CPLIS * 4
    assert new.result == {"read": ROWS, "changed": ROWS}
    assert over_plan.result == {
        "read": ROWS,
        "changed": file.changed,
        "unchanged": ROWS - file.changed,
        "baseline_rows": file.changed,
    }
    assert not Actual.objects.filter(provider=fixture.provider).exists()
    report = {
        "database": "sqlite",
        "database_version": "3",
        "cplis": CPLIS,
        "repeat": 1,
        "measurements": [m.summary(actuals.TARGET) for m in (generate, new, over_plan)],
    }
    actuals.print_table(report)
    assert "import a CSV file over the generated plan" in capsys.readouterr().out


def test_seed_scale_generates_the_provider_personas_last_ended_week():
    seed_scale(clients=40, contract_documents=30, actuals_weeks=1)
    persona = User.objects.get(email=f"provider@{SCALE_SLUG}.example")
    last_week = week_of(today(), 0) - WEEK
    generated = Actual.objects.filter(provider_id=persona.provider_id)
    count = generated.count()

    assert count
    assert set(generated.values_list("week_start", flat=True)) == {last_week}
    seed_scale(clients=40, contract_documents=30, actuals_weeks=1)
    assert generated.count() == count
