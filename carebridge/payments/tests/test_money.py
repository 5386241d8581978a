"""An invoice's money, for any actuals: its total is the sum of its lines to the penny, and
each line is its actual's cost (Actual + payable Frstd at the rate, rounded once at the line)."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carebridge.actuals.models import Actual
from carebridge.core.formats import round_money
from carebridge.organisations.choices import FrustratedReason
from carebridge.payments import services
from carebridge.payments.selectors import invoice_totals
from carebridge.payments.tests.conftest import clients, create, enter, total

pytestmark = pytest.mark.django_db

# Quarter hours, as the rulebook's step allows, up to 30 hours a week.
QUARTERS = st.integers(min_value=0, max_value=120).map(lambda n: Decimal(n) / 4)
WEEK = st.tuples(QUARTERS, QUARTERS, st.booleans())  # actual, frustrated, in hospital


@pytest.fixture
def three_rates(paying):
    """The world's client at £16.16 an hour, and two more at rates that round awkwardly."""
    others = [
        paying.agree(paying.line("10", rate=rate), person=cpli.service_user)[0]
        for cpli, rate in zip(clients(paying, 2), ("17.33", "19.99"), strict=True)
    ]
    return paying, [paying.cpli, *others]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(weeks=st.lists(WEEK, min_size=3, max_size=3))
def test_an_invoice_totals_its_lines_and_its_lines_are_the_actuals_costs(three_rates, weeks):
    world, cplis = three_rates
    for cpli, (actual, frustrated, hospital) in zip(cplis, weeks, strict=True):
        fields = (
            {"frustrated": str(frustrated), "frustrated_reason": FrustratedReason.HOSPITAL}
            if hospital and frustrated
            else {}
        )
        enter(world, (cpli, str(actual)), comments="As delivered", **fields)
    invoice = create(world, reference=f"P-{sum(a for a, _f, _h in weeks)}-{len(weeks)}")
    try:
        lines = list(invoice.lines.select_related("actual"))
        assert len(lines) == 3
        for line in lines:
            assert line.amount == line.actual.cost
            assert line.amount == round_money(line.quantity * line.rate)
        costs = sum(
            Actual.objects.filter(pk__in=[line.actual_id for line in lines]).values_list(
                "cost", flat=True
            ),
            Decimal("0"),
        )
        excl, vat, grand = invoice_totals(invoice)
        assert excl == total(invoice) == costs
        assert vat == 0 and grand == excl
        assert excl == excl.quantize(Decimal("0.01"))
    finally:
        services.invoice_delete(by=world.carer, invoice=invoice)
