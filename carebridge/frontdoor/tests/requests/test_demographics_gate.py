"""The gate in front of the NHS demographics look-up: a code e-mailed only to a trusted work
domain, kept hashed, good for 15 minutes and 5 tries; a look-up only for a verified
professional who knows the date of birth; limits on codes and look-ups; and an audit row for
every look-up that names no one's details."""

import re
from datetime import date

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache

from carebridge.audit.models import Event
from carebridge.frontdoor.requests.services import demographics as gate
from carebridge.frontdoor.requests.services.demographics import (
    DemographicsRefused,
    demographics_for,
    professional_verified,
    verification_confirm,
    verification_send,
)
from carebridge.frontdoor.tests.hubs.test_hubs_support import freeze
from carebridge.integrations.pds import PdsLookup, PdsOutcome
from carebridge.integrations.simulator import pds as sim
from carebridge.integrations.tests.pds_support import connect, pds_running
from carebridge.notifications.models import Notification
from tests.support import make_council

pytestmark = pytest.mark.django_db

GP = "priya.nurse@nhs.net"
BORN = date(1944, 5, 17)


@pytest.fixture
def pds(loopback_allowed):
    with pds_running() as peer:
        yield peer


@pytest.fixture
def council(pds):
    council = make_council("Wrekinshire Council")
    connect(council, pds, trusted_email_domains="nhs.net, wrekinshire.gov.uk")
    return council


@pytest.fixture
def session():
    return SessionStore()


def code_sent(to: str = GP) -> str:
    notification = Notification.objects.filter(to_email=to).latest("pk")
    match = re.search(r"Your code is (\d{6})", notification.body)
    assert match is not None
    return match.group(1)


def verified(session, council, email: str = GP) -> None:
    verification_send(session, council, email)
    assert verification_confirm(session, council, code_sent(email)) is True


# --- The code ----------------------------------------------------------------------------------


def test_it_emails_a_six_digit_code_that_verifies_the_professional(session, council):
    verification_send(session, council, " Priya.Nurse@NHS.net ")

    notification = Notification.objects.get(to_email=GP)
    assert notification.subject == "Your code for Wrekinshire Council's front door"
    assert "15 minutes" in notification.body
    code = code_sent()
    assert professional_verified(session, council) == ""
    assert verification_confirm(session, council, f"{code[:3]} {code[3:]}") is True
    assert professional_verified(session, council) == GP


def test_the_session_keeps_only_a_hash_of_the_code(session, council):
    verification_send(session, council, GP)

    assert code_sent() not in str(dict(session.items()))


def test_a_subdomain_of_a_trusted_domain_is_trusted(session, council):
    verification_send(session, council, "duty@social.wrekinshire.gov.uk")

    assert Notification.objects.filter(to_email="duty@social.wrekinshire.gov.uk").exists()


@pytest.mark.parametrize(
    "email", ["someone@gmail.com", "x@evilnhs.net", "x@nhs.net.example.org", "not an address"]
)
def test_it_refuses_an_address_outside_the_trusted_domains(session, council, email):
    with pytest.raises(DemographicsRefused):
        verification_send(session, council, email)

    assert not Notification.objects.exists()


def test_it_sends_no_code_for_a_council_without_pds(session, pds):
    council = make_council("Elsewhere Council")

    with pytest.raises(DemographicsRefused):
        verification_send(session, council, GP)


def test_a_wrong_code_does_not_verify(session, council):
    verification_send(session, council, GP)
    wrong = f"{(int(code_sent()) + 1) % 10**6:06d}"

    assert verification_confirm(session, council, wrong) is False
    assert professional_verified(session, council) == ""
    assert verification_confirm(session, council, code_sent()) is True


def test_a_code_is_used_once(session, council):
    verification_send(session, council, GP)
    code = code_sent()
    assert verification_confirm(session, council, code) is True

    assert verification_confirm(session, council, code) is False
    assert verification_confirm(SessionStore(), council, code) is False


def test_a_code_expires_after_15_minutes(session, council, monkeypatch):
    clock = freeze(monkeypatch, at=gate.now())
    verification_send(session, council, GP)
    clock.advance(minutes=15, seconds=1)

    assert verification_confirm(session, council, code_sent()) is False


def test_a_code_is_gone_after_5_wrong_tries(session, council):
    verification_send(session, council, GP)
    code = code_sent()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(gate.CODE_TRIES):
        assert verification_confirm(session, council, wrong) is False

    assert verification_confirm(session, council, code) is False


def test_a_code_from_another_council_does_not_verify_here(session, council, pds):
    other = make_council("Other Council")
    connect(other, pds, trusted_email_domains="nhs.net")
    verification_send(session, other, GP)

    assert verification_confirm(session, council, code_sent()) is False


def test_codes_to_one_address_are_limited(council):
    for _ in range(gate.CODES_PER_EMAIL):
        verification_send(SessionStore(), council, GP)

    with pytest.raises(DemographicsRefused, match="Too many codes"):
        verification_send(SessionStore(), council, GP)
    assert Notification.objects.filter(to_email=GP).count() == gate.CODES_PER_EMAIL


def test_codes_from_one_session_are_limited(session, council):
    for n in range(gate.CODES_PER_SESSION):
        verification_send(session, council, f"gp{n}@nhs.net")

    with pytest.raises(DemographicsRefused, match="Too many codes"):
        verification_send(session, council, "another@nhs.net")


def test_a_domain_no_longer_trusted_ends_the_verification(session, council):
    verified(session, council)
    council.pds_connection.trusted_email_domains = "wrekinshire.gov.uk"
    council.pds_connection.save()

    assert professional_verified(session, council) == ""


def test_a_verification_ends_after_its_hours(session, council, monkeypatch):
    clock = freeze(monkeypatch, at=gate.now())
    verified(session, council)
    clock.advance(seconds=gate.VERIFIED_FOR.total_seconds() + 1)

    assert professional_verified(session, council) == ""


# --- The look-up -------------------------------------------------------------------------------


def test_a_verified_professional_gets_the_persons_demographics(session, council):
    verified(session, council)

    found = demographics_for(session, council, sim.ORDINARY, BORN)

    assert found.outcome is PdsOutcome.FOUND
    assert found.demographics is not None
    assert found.demographics.family_name == "Holloway"
    assert found.demographics.postcode == "TF1 5XX"


def test_no_look_up_without_a_verified_professional(session, council, pds):
    assert demographics_for(session, council, sim.ORDINARY, BORN) == PdsLookup(
        PdsOutcome.NOT_CONFIGURED
    )
    assert pds.calls == []


def test_a_different_date_of_birth_is_not_found(session, council):
    verified(session, council)

    found = demographics_for(session, council, sim.ORDINARY, date(1944, 5, 18))

    assert found == PdsLookup(PdsOutcome.NOT_FOUND)


def test_a_sensitive_record_is_restricted_with_nothing_in_it(session, council):
    verified(session, council)

    assert demographics_for(session, council, sim.RESTRICTED, date(1950, 2, 2)) == PdsLookup(
        PdsOutcome.RESTRICTED
    )


def test_a_number_failing_modulus_11_is_never_looked_up(session, council, pds):
    verified(session, council)

    assert demographics_for(session, council, "9996923232", BORN).outcome is PdsOutcome.NOT_FOUND
    assert pds.calls == []


def test_look_ups_per_address_are_limited(session, council, pds, monkeypatch):
    monkeypatch.setattr(gate, "LOOKUPS_PER_HOUR", 2)
    verified(session, council)
    for _ in range(2):
        assert demographics_for(session, council, sim.ORDINARY, BORN).outcome is PdsOutcome.FOUND

    assert demographics_for(session, council, sim.ORDINARY, BORN).outcome is (
        PdsOutcome.UNAVAILABLE
    )
    assert len(pds.calls) == 2
    cache.clear()  # a new hour
    assert demographics_for(session, council, sim.ORDINARY, BORN).outcome is PdsOutcome.FOUND


def test_every_look_up_is_audited_without_the_demographics(session, council):
    verified(session, council)
    demographics_for(session, council, sim.ORDINARY, BORN)
    demographics_for(session, council, sim.ORDINARY, date(1990, 1, 1))
    demographics_for(session, council, sim.RESTRICTED, date(1950, 2, 2))

    events = list(
        Event.objects.filter(action="front_door.pds_lookup", council=council).order_by("pk")
    )
    assert [event.detail for event in events] == [
        {"email": GP, "nhs_number_last4": "3231", "outcome": "found"},
        {"email": GP, "nhs_number_last4": "3231", "outcome": "date_of_birth_differs"},
        {"email": GP, "nhs_number_last4": "4075", "outcome": "restricted"},
    ]
    logged = str([(e.detail, e.before, e.after, e.object_label) for e in events])
    for detail in ("Holloway", "Margaret", "Orchard", "TF1", "1944", sim.ORDINARY, "M99001"):
        assert detail not in logged
