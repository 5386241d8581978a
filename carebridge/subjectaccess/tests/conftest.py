from datetime import date

import pytest

from carebridge.people import services as people
from tests.support import make_council, make_user


@pytest.fixture
def council():
    return make_council("Ashdown Vale Council")


@pytest.fixture
def officer(council):
    return make_user(council=council, role="information_governance")


@pytest.fixture
def person(council, officer):
    return people.service_user_create(
        council=council,
        by=make_user(council=council, role="broker"),
        ss_ref="AV100200",
        first_name="Maisy",
        last_name="Goddard",
        date_of_birth=date(1940, 4, 23),
        nhs_number="9434765919",
        postcode="NG22 9TE",
    )


@pytest.fixture
def other_person():
    """Another council's person with the same NHS number and name (each council keeps its own)."""
    other = make_council("Quillinghurst Metropolitan Council")
    return people.service_user_create(
        council=other,
        by=make_user(council=other, role="broker"),
        ss_ref="QX990001",
        first_name="Maisy",
        last_name="Goddard",
        date_of_birth=date(1940, 4, 23),
        nhs_number="9434765919",
        postcode="EC1A 1BB",
    )
