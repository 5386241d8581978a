"""A council's payment rule for a contract type: made once, changed after, audited each time."""

import pytest
from django.core.exceptions import ValidationError

from carebridge.audit.models import Event
from carebridge.organisations import services as org
from carebridge.organisations.models import PaymentRule
from tests.support import make_council

pytestmark = pytest.mark.django_db


def test_it_makes_the_rule_then_changes_it_and_records_both():
    council = make_council()
    rule = org.payment_rule_set(
        council=council,
        contract_type="framework",
        by=None,
        aborted_visit_max_minutes=None,
        aborted_visit_paid_percent=50,
        night_cancellation_paid_percent=25,
    )
    again = org.payment_rule_set(
        council=council,
        contract_type="framework",
        by=None,
        aborted_visit_max_minutes=30,
        aborted_visit_paid_percent=100,
        night_cancellation_paid_percent=25,
    )
    assert again.pk == rule.pk
    assert PaymentRule.objects.get().aborted_visit_max_minutes == 30
    made, changed = Event.objects.filter(action__startswith="payment_rule.").order_by("pk")
    assert made.action == "payment_rule.created" and made.before is None
    assert changed.action == "payment_rule.updated"
    assert changed.before["aborted_visit_paid_percent"] == 50
    assert changed.after["aborted_visit_paid_percent"] == 100


def test_it_refuses_a_percentage_over_100():
    with pytest.raises(ValidationError):
        org.payment_rule_set(
            council=make_council(),
            contract_type="spot",
            by=None,
            aborted_visit_max_minutes=30,
            aborted_visit_paid_percent=150,
            night_cancellation_paid_percent=25,
        )
    assert not PaymentRule.objects.exists()
