"""Who sees which disputes: a council its own, a provider its own at each of its councils under
that council's reasons, nobody another's (404); and the rows an open dispute holds."""

import pytest
from django.http import Http404

from carebridge.actuals import services as actuals
from carebridge.actuals.models import Actual
from carebridge.actuals.periods import WEEK, week_of
from carebridge.actuals.rules import Entry
from carebridge.core.calendar import today
from carebridge.disputes import services
from carebridge.disputes.access import dispute_for
from carebridge.disputes.choices import DisputeStatus
from carebridge.disputes.selectors import dispute_rows, disputes_for, open_disputed_actual_ids
from carebridge.disputes.tests.conftest import reason_of
from tests.support import make_personas, make_user

pytestmark = pytest.mark.django_db


def _row(two, cpli, week) -> Actual:
    actuals.actuals_save(
        two.carer, [actuals.Item(cpli.pk, week, Entry(actual=cpli.quantity, visits=10), week)]
    )
    return Actual.objects.get(cpli=cpli, week_start=week)


@pytest.fixture
def both(clock):
    """A provider of two councils with a dispute at each: the weekly council's with its default
    reason, the four-weekly council's with a reason of its own."""
    personas = make_personas()
    two = personas.two
    weekly_row = _row(two, two.weekly_cpli, two.week)
    four_weekly_row = _row(two, two.four_weekly_cpli, week_of(today(), 0) - WEEK * 2)
    own = services.dispute_reason_add(
        by=two.four_weekly_officer, council=two.four_weekly, label="Missed call not logged"
    )
    weekly = services.dispute_raise(
        by=two.weekly_officer,
        reason=reason_of(two.weekly),
        details="Visit on Monday did not happen.",
        actual_ids=[weekly_row.pk],
    )
    four_weekly = services.dispute_raise(
        by=two.four_weekly_officer,
        reason=own,
        details="No call logged on Tuesday.",
        actual_ids=[four_weekly_row.pk],
    )
    return personas, weekly, four_weekly


def test_a_provider_of_two_councils_sees_each_councils_dispute_with_its_reasons(both):
    personas, weekly, four_weekly = both
    two = personas.two
    seen = {dispute.council: dispute.reason for dispute in disputes_for(two.carer)}
    assert seen == {two.weekly: weekly.reason, two.four_weekly: four_weekly.reason}
    assert seen[two.weekly].council == two.weekly
    assert seen[two.four_weekly].label == "Missed call not logged"
    assert list(disputes_for(two.carer, council=two.four_weekly)) == [four_weekly]


def test_each_council_sees_only_its_own(both):
    personas, weekly, four_weekly = both
    two = personas.two
    assert list(disputes_for(two.weekly_officer)) == [weekly]
    assert list(disputes_for(two.weekly_broker)) == [weekly]
    assert list(disputes_for(two.four_weekly_officer)) == [four_weekly]


@pytest.mark.parametrize("who", ["other_provider_user", "other_council_officer"])
def test_another_provider_or_council_gets_404(both, who):
    personas, weekly, four_weekly = both
    user = getattr(personas, who)
    assert not disputes_for(user).exists()
    for dispute in (weekly, four_weekly):
        with pytest.raises(Http404):
            dispute_for(user, dispute.pk)


def test_roles_without_actuals_see_none(both):
    personas, weekly, _four_weekly = both
    two = personas.two
    for user in (
        make_user(provider=two.provider, role="invoice_only"),
        make_user(council=two.weekly, role="front_door_officer"),
    ):
        assert not disputes_for(user).exists()
        with pytest.raises(Http404):
            dispute_for(user, weekly.pk)


def test_open_only_leaves_out_resolved_disputes(both):
    personas, weekly, four_weekly = both
    two = personas.two
    services.dispute_resolve(by=two.weekly_officer, dispute=weekly)
    assert list(disputes_for(two.carer, open_only=True)) == [four_weekly]
    assert disputes_for(two.carer).get(pk=weekly.pk).status == DisputeStatus.RESOLVED


def test_open_disputed_actual_ids_are_each_councils_own(both):
    personas, weekly, four_weekly = both
    two = personas.two
    weekly_ids = set(weekly.rows.values_list("actual_id", flat=True))
    assert open_disputed_actual_ids(council_id=two.weekly.pk) == weekly_ids
    assert (
        open_disputed_actual_ids(council_id=two.weekly.pk, provider_id=personas.other_provider.pk)
        == set()
    )
    assert open_disputed_actual_ids(council_id=two.weekly.pk, actual_ids=[]) == set()
    services.dispute_resolve(by=two.weekly_officer, dispute=weekly)
    assert open_disputed_actual_ids(council_id=two.weekly.pk) == set()
    assert open_disputed_actual_ids(council_id=two.four_weekly.pk) == set(
        four_weekly.rows.values_list("actual_id", flat=True)
    )


def test_a_disputes_rows_are_read_in_one_query(disputing, django_assert_num_queries):
    dispute = disputing.raise_()
    with django_assert_num_queries(1):
        rows = list(dispute_rows(dispute))
        names = [row.actual.cpli.service_level.name for row in rows]
        clients = [row.actual.service_user.full_name for row in rows]
    assert len(names) == len(clients) == 2
