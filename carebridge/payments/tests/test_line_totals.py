"""A payment line's and a payment exception's Total = Excl VAT + VAT, checked by the database on
SQLite too, where decimals are summed as floating point (904.96 + 180.99 is not 1085.95 there)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from carebridge.core.calendar import now
from carebridge.payments.models import PaymentException
from carebridge.payments.tests.conftest import LAST_WEEK, clients

pytestmark = pytest.mark.django_db


def _exception(world, total: str) -> PaymentException:
    cpli = clients(world, 1)[0]
    return PaymentException.objects.create(
        council=world.council,
        provider=world.provider,
        service=world.service,
        service_user=cpli.service_user,
        cpli=cpli,
        covers_from=LAST_WEEK,
        covers_to=LAST_WEEK,
        reason="Rate changed after payment",
        excl_vat=Decimal("904.96"),
        vat=Decimal("180.99"),
        total=Decimal(total),
        created_at=now(),
    )


def test_a_total_that_adds_up_to_the_penny_is_written(world):
    assert _exception(world, "1085.95").total == Decimal("1085.95")


def test_a_total_a_penny_out_is_refused_by_the_database(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        _exception(world, "1085.96")
