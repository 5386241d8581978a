from datetime import date

import pytest
from django.core.exceptions import ValidationError

from carebridge.audit.models import AppendOnlyError, Event
from carebridge.audit.selectors import events_visible_to, history_of
from carebridge.audit.services import record
from carebridge.people import services as people
from tests.support import make_council, make_user

pytestmark = pytest.mark.django_db


def create_ada(council, *, by, **details):
    """Ada Lane, born 1 January 1940, a service user of the council with the details given."""
    return people.service_user_create(
        council=council,
        by=by,
        ss_ref="A1",
        first_name="Ada",
        last_name="Lane",
        date_of_birth=date(1940, 1, 1),
        **details,
    )


def test_events_cannot_be_changed_or_removed():
    event = record(action="test.happened")
    event.action = "test.rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        Event.objects.all().delete()
    assert Event.objects.get(pk=event.pk).action == "test.happened"


def test_a_service_users_history_keeps_every_change_with_before_and_after():
    council = make_council()
    officer = make_user(council=council)
    person = create_ada(council, by=officer, postcode="m1 1aa")
    assert person.postcode == "M1 1AA"
    people.service_user_update(person=person, by=officer, phone="01632 960001", postcode="CR2 6XH")
    updates = history_of(person).filter(action="service_user.updated")
    assert updates.count() == 1
    assert updates[0].before == {"phone": "", "postcode": "M1 1AA"}
    assert updates[0].after == {"phone": "01632 960001", "postcode": "CR2 6XH"}
    assert updates[0].actor == officer


def test_a_bad_nhs_number_is_refused_against_its_field():
    council = make_council()
    with pytest.raises(ValidationError) as raised:
        create_ada(council, by=None, nhs_number="943 476 5918", postcode="XX1 1XX")
    assert set(raised.value.message_dict) == {"nhs_number", "postcode"}


def test_viewing_a_service_users_record_is_audited(client):
    council = make_council()
    officer = make_user(council=council, role="broker")
    person = create_ada(council, by=officer)
    client.force_login(officer)
    assert client.get(f"/service-users/{person.pk}/").status_code == 200
    assert history_of(person).filter(action="service_user.viewed", actor=officer).count() == 1


def test_each_organisation_sees_only_its_own_log():
    ours, theirs = make_council(), make_council()
    admin = make_user(council=ours)
    record(action="ours.happened", council=ours)
    record(action="theirs.happened", council=theirs)
    actions = set(events_visible_to(admin).values_list("action", flat=True))
    assert "ours.happened" in actions and "theirs.happened" not in actions


def test_a_service_users_address_shows_one_line_each(client):
    council = make_council()
    officer = make_user(council=council, role="broker")
    person = create_ada(
        council, by=officer, address_line_1="4 Mill Lane", town="Hollowmere", postcode="M1 1AA"
    )
    client.force_login(officer)
    page = client.get(f"/service-users/{person.pk}/").content.decode()
    assert "4 Mill Lane<br>Hollowmere<br>M1 1AA" in page
