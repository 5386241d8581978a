"""A professional's front-door referral names the person by NHS number before anyone links it to
their record: the export finds it by that number too, in the council's own requests only."""

from datetime import date

import pytest

from carebridge.core.calendar import today
from carebridge.frontdoor.models import FrontDoorRequest
from carebridge.frontdoor.tests.support_requests import likely_answers, open_council, submit
from carebridge.people import services as people
from carebridge.subjectaccess import services
from carebridge.subjectaccess.records import RECORD_CLASSES
from tests.support import make_user

pytestmark = pytest.mark.django_db

NHS_NUMBER = "9434765919"


def _referral_naming(council, nhs_number: str) -> FrontDoorRequest:
    request = submit(council, likely_answers())
    FrontDoorRequest.objects.filter(pk=request.pk).update(person_nhs_number=nhs_number)
    return request


def test_an_unlinked_referral_giving_the_persons_nhs_number_is_exported_and_anothers_is_not():
    council, elsewhere = open_council("Ours Council"), open_council("Elsewhere Council")
    officer = make_user(council=council, role="information_governance")
    person = people.service_user_create(
        council=council,
        by=officer,
        first_name="Edith",
        last_name="Marlowe",
        date_of_birth=date(1940, 3, 2),
        nhs_number=NHS_NUMBER,
        ss_ref="QX000123",
    )
    ours = _referral_naming(council, NHS_NUMBER)
    _referral_naming(council, "4010232137")  # someone else
    _referral_naming(elsewhere, NHS_NUMBER)  # the same number at another council
    sar = services.subject_access_request_create(
        by=officer,
        service_user=person,
        requester="person",
        requester_name="Edith Marlowe",
        received_on=today(),
    )
    front_door = next(c for c in RECORD_CLASSES if c.key == "front_door_requests")
    assert [row["reference"] for row in front_door.rows(sar)] == [ours.reference]
