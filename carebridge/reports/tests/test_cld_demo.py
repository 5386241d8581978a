"""Every record of the demo's Client Level Data return validates, at both councils (one test:
seeding the demo takes a minute)."""

from __future__ import annotations

from collections import Counter

import pytest

from carebridge.core.calendar import today
from carebridge.demo.demo import seed_demo
from carebridge.organisations.models import Council
from carebridge.reports.cld.forms import current_quarter_end
from carebridge.reports.cld.records import Period, return_records
from carebridge.reports.cld.validation import validate

pytestmark = pytest.mark.django_db


def test_every_demo_record_validates_and_each_kind_of_event_is_there():
    seed_demo()
    period = Period.ending(current_quarter_end(today()))
    for council in Council.objects.filter(slug__in=["northshire", "westbrook"]):
        records = return_records(council.pk, period)
        assert validate(records) == []
        kinds = Counter(record.values["Event_Type"] for record in records)
        assert kinds["Service"] > 0 and kinds["Request"] > 0
        routes = {record.values["Request_Route_of_Access"] for record in records}
        assert {"Community / Other route", "Discharge from Hospital"} <= routes
        assert len({record.reference for record in records}) == len(records)
