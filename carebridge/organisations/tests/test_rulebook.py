from datetime import UTC, datetime, time

import pytest
from django.core.exceptions import ValidationError

from carebridge.audit.models import Event
from carebridge.core.calendar import add_service_time
from carebridge.organisations import services
from tests.support import make_council, make_user

pytestmark = pytest.mark.django_db


def test_a_referral_deadline_follows_the_councils_service_hours():
    from datetime import timedelta

    office_hours = make_council(
        referral_service_start=time(8),
        referral_service_end=time(17, 30),
        referral_service_days="01234",
    )
    every_day = make_council(
        referral_service_start=time(7),
        referral_service_end=time(22),
        referral_service_days="0123456",
        referral_service_closed_on_bank_holidays=False,
    )
    received = datetime(2025, 1, 20, 16, 57, tzinfo=UTC)  # 4:57pm Monday (GMT)
    window = timedelta(minutes=120)
    assert add_service_time(
        received, window, office_hours.rulebook.referral_service_hours()
    ) == datetime(2025, 1, 21, 9, 27, tzinfo=UTC)
    assert add_service_time(
        received, window, every_day.rulebook.referral_service_hours()
    ) == datetime(2025, 1, 20, 18, 57, tzinfo=UTC)


def test_a_rulebook_change_is_checked_and_audited():
    council = make_council()
    admin = make_user(council=council)
    services.rulebook_update(
        council=council, by=admin, suspend_after_days=60, password_min_length=9
    )
    council.rulebook.refresh_from_db()
    assert council.rulebook.suspend_after_days == 60
    event = Event.objects.get(action="rulebook.updated")
    assert event.before["suspend_after_days"] == 90 and event.after["suspend_after_days"] == 60
    with pytest.raises(ValidationError):
        services.rulebook_update(council=council, by=admin, referral_service_days="0189")
    with pytest.raises(ValidationError):
        services.rulebook_update(council=council, by=admin, password_min_length=6)
