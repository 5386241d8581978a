"""Building blocks for the request tests: a council with its front door open, answers that
the rules find likely eligible or not, and a finished journey."""

from __future__ import annotations

from typing import Any

from carebridge.frontdoor.assessment.eligibility import assess
from carebridge.frontdoor.models import FrontDoorRequest, FrontDoorSettings
from carebridge.frontdoor.requests import services
from carebridge.organisations.models import Council
from tests.support import make_council, make_district


def open_council(name: str = "") -> Council:
    council = make_council(name)
    make_district(council, postcode_districts="WB1 WB2")
    FrontDoorSettings.objects.create(
        council=council,
        is_open=True,
        contact_phone="01632 960 100",
        emergency_contacts="Adult social care out of hours: 01632 960 999",
    )
    return council


def likely_answers(**overrides: Any) -> dict[str, Any]:
    """An adult who cannot manage three outcomes, with a significant impact: likely eligible."""
    answers: dict[str, Any] = {
        "asker": "family",
        "about": "adult",
        "urgent": ["none"],
        "postcode": "WB1 2AB",
        "adult_impairment": "yes",
        "adult_fluctuates": "no",
        **{
            f"adult_{code}": ["no_difficulty"]
            for code in (
                "toilet",
                "clothing",
                "home_safety",
                "relationships",
                "work",
                "community",
            )
        },
        "adult_nutrition": ["needs_help"],
        "adult_hygiene": ["needs_help", "pain_distress"],
        "adult_habitable_home": ["takes_longer"],
        "adult_child_care": ["not_applicable"],
        "adult_wellbeing": ["dignity", "health"],
        "adult_significant_impact": "yes",
        "person_name": "Edith Marlowe",
        "person_dob": "1941-03-03",
        "person_email": "",
        "person_phone": "",
        "asker_name": "Rosa Marlowe",
        "asker_email": "rosa@example.org",
        "asker_phone": "01632 960 321",
        "consent": "yes",
    }
    answers.update(overrides)
    return answers


def unlikely_answers(**overrides: Any) -> dict[str, Any]:
    """The same adult managing all but one outcome: may not be eligible."""
    return likely_answers(
        adult_hygiene=["no_difficulty"], adult_habitable_home=["no_difficulty"], **overrides
    )


def contact_from(answers: dict[str, Any]) -> services.Contact:
    return services.contact_from(answers)


def submit(council: Council, answers: dict[str, Any]) -> FrontDoorRequest:
    return services.request_submit(
        council=council, contact=contact_from(answers), answers=answers, assessment=assess(answers)
    )
