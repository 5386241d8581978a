"""Front-door requests: what a finished journey keeps, where it goes, the triage steps and
their compare-and-set, the person's tracking and the e-mails."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from carebridge.audit.models import Event
from carebridge.frontdoor.choices import Decision, EventKind, RequestStatus, Result, Route
from carebridge.frontdoor.models import FrontDoorRequest
from carebridge.frontdoor.requests import services
from carebridge.frontdoor.requests.filters import QueueFilters
from carebridge.frontdoor.requests.selectors import (
    matching_service_users,
    queue,
    request_for_tracking,
)
from carebridge.frontdoor.tests.support_requests import (
    contact_from,
    likely_answers,
    open_council,
    submit,
    unlikely_answers,
)
from carebridge.people.models import ServiceUser
from tests.support import make_user

pytestmark = pytest.mark.django_db


def test_it_sends_a_likely_eligible_request_to_the_queue_and_emails_the_reference(
    council, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = submit(council, likely_answers())

    assert sent.route == Route.QUEUE and sent.status == RequestStatus.RECEIVED
    assert sent.result == Result.LIKELY_ELIGIBLE
    assert sent.reference.startswith("FD-") and len(sent.reference) == 12
    assert sent.person_name == "Edith Marlowe"
    assert sent.answers["adult_nutrition"] == ["needs_help"]
    assert [m.to for m in mail.outbox] == [["rosa@example.org"]]
    assert sent.reference in mail.outbox[0].body
    assert "/track/link/" in mail.outbox[0].body
    assert list(sent.events.values_list("kind", flat=True)) == [EventKind.SUBMITTED]
    assert Event.objects.filter(action="front_door.submitted").count() == 1


def queued(user, **filters):
    """The queue as the officer's page filters it."""
    params = {name: "on" if value is True else value for name, value in filters.items()}
    return QueueFilters(params, queue(user)).qs


def test_it_keeps_a_signposted_journey_out_of_the_queue(council, officer):
    sent = submit(council, unlikely_answers())

    assert sent.route == Route.SIGNPOSTED and sent.status == RequestStatus.SIGNPOSTED
    assert list(queued(officer)) == []


def test_without_consent_it_keeps_nothing_that_names_or_reaches_the_person(council):
    sent = submit(council, likely_answers(consent="no"))

    assert sent.route == Route.SIGNPOSTED
    assert sent.person_name == "" and sent.asker_email == "" and sent.person_date_of_birth is None
    assert sent.postcode == "WB1" and sent.answers == {}
    # The recommendation is kept, without names: for the figures.
    assert sent.result == Result.LIKELY_ELIGIBLE


def test_asking_for_an_assessment_after_signposting_joins_the_queue_once(
    council, officer, django_capture_on_commit_callbacks
):
    sent = submit(council, unlikely_answers())
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_ask(request=sent)
    with pytest.raises(services.RequestRefused):
        services.assessment_ask(request=sent)

    sent.refresh_from_db()
    assert sent.route == Route.QUEUE and sent.status == RequestStatus.RECEIVED
    assert sent.assessment_requested
    assert list(queued(officer)) == [sent]
    assert len(mail.outbox) == 1


def test_asking_for_an_assessment_without_consent_needs_it_and_the_details(council):
    answers = likely_answers(consent="no")
    sent = submit(council, answers)
    with pytest.raises(ValidationError):
        services.assessment_ask(request=sent)

    details = contact_from(likely_answers())
    services.assessment_ask(request=sent, contact=details, answers=answers)

    sent.refresh_from_db()
    assert sent.consent_to_share and sent.person_name == "Edith Marlowe"
    assert sent.answers == answers and sent.route == Route.QUEUE


def test_the_queue_puts_urgent_first_then_the_longest_waiting(council, officer):
    first = submit(council, likely_answers())
    second = submit(council, likely_answers())
    urgent = submit(council, likely_answers(urgent=["danger"]))

    assert urgent.urgent
    assert list(queued(officer)) == [urgent, first, second]
    assert list(queued(officer, urgent_only=True)) == [urgent]
    assert list(queued(officer, q=second.reference.lower())) == [second]


def test_another_councils_officer_sees_none_of_it(council):
    submit(council, likely_answers())
    stranger = make_user(council=open_council(), role="front_door_officer")

    assert list(queued(stranger, status="all")) == []


def test_triage_moves_through_the_table_and_refuses_what_it_does_not_allow(council, officer):
    sent = submit(council, likely_answers())
    services.request_open(request=sent, by=officer)
    with pytest.raises(services.RequestRefused):
        services.request_open(request=sent, by=officer)
    services.information_request(request=sent, by=officer, text="Who is their GP?")
    services.information_give(request=sent, text="Dr Okafor at the Mill Surgery")
    sent.refresh_from_db()
    assert sent.status == RequestStatus.IN_REVIEW

    services.request_close(request=sent, by=officer, text="Nothing more is needed.")
    sent.refresh_from_db()
    assert sent.status == RequestStatus.CLOSED
    assert sent.decision == Decision.NO_FURTHER_ACTION and sent.decided_at is not None
    with pytest.raises(services.RequestRefused):
        services.request_accept(request=sent, by=officer, service_user=None)
    kinds = list(sent.events.values_list("kind", flat=True))
    assert kinds == [
        EventKind.SUBMITTED,
        EventKind.OPENED,
        EventKind.INFORMATION_REQUESTED,
        EventKind.INFORMATION_GIVEN,
        EventKind.CLOSED,
    ]


def test_accepting_makes_a_new_service_user_from_the_officers_details(council, officer):
    sent = submit(council, likely_answers())
    new = services.NewServiceUser(
        ss_ref="SS-5521",
        first_name="Edith",
        last_name="Marlowe",
        date_of_birth=sent.person_date_of_birth,
    )
    services.request_accept(request=sent, by=officer, new=new, text="An assessor will call.")

    sent.refresh_from_db()
    person = ServiceUser.objects.get(ss_ref="SS-5521")
    assert sent.service_user == person and person.council == council
    assert person.postcode == "WB1 2AB"
    assert sent.status == RequestStatus.ASSESSMENT and sent.decision == Decision.ASSESSMENT


def test_accepting_refuses_another_councils_service_user(council, officer):
    sent = submit(council, likely_answers())
    other = open_council()
    stranger = ServiceUser.objects.create(
        council=other, ss_ref="X1", first_name="A", last_name="B", date_of_birth="1950-01-01"
    )
    with pytest.raises(ValidationError):
        services.request_accept(request=sent, by=officer, service_user=stranger)
    sent.refresh_from_db()
    assert sent.status == RequestStatus.RECEIVED


def test_redirecting_needs_where_to_and_what_to_say(council, officer):
    sent = submit(council, likely_answers())
    with pytest.raises(ValidationError) as refused:
        services.request_redirect(request=sent, by=officer, to="", text="")
    assert set(refused.value.error_dict) == {"redirected_to", "text"}

    services.request_redirect(
        request=sent,
        by=officer,
        to="Community mental health team",
        text="Call them on 01632 960 555.",
    )
    sent.refresh_from_db()
    assert (
        sent.decision == Decision.REDIRECTED
        and sent.redirected_to == "Community mental health team"
    )


def test_updates_go_to_the_person_at_each_public_change_but_not_for_notes(
    council, officer, django_capture_on_commit_callbacks
):
    sent = submit(council, likely_answers())
    services.updates_subscribe(request=sent, email=sent.contact_email)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.request_open(request=sent, by=officer)
        services.request_note(request=sent, by=officer, text="Known to the district nurses.")

    assert len(mail.outbox) == 1
    assert "being looked at" in mail.outbox[0].subject
    assert "Known to the district nurses" not in mail.outbox[0].body


def test_a_request_for_information_emails_even_without_updates(
    council, officer, django_capture_on_commit_callbacks
):
    sent = submit(council, likely_answers())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.information_request(request=sent, by=officer, text="Who is their GP?")

    assert len(mail.outbox) == 1
    assert "Who is their GP?" not in mail.outbox[0].body


def test_tracking_needs_the_reference_and_the_address_it_was_made_with(council):
    sent = submit(council, likely_answers())

    assert request_for_tracking(council, sent.reference.lower(), "ROSA@example.org") == sent
    assert request_for_tracking(council, sent.reference, "someone@example.org") is None
    assert request_for_tracking(council, "FD-XXXX-XXXX", "rosa@example.org") is None
    assert request_for_tracking(open_council(), sent.reference, "rosa@example.org") is None


def test_a_tracking_link_names_its_request_and_nothing_forged_passes(council):
    sent = submit(council, likely_answers())
    token = services.track_token(sent)

    assert services.request_from_token(token) == sent.pk
    assert services.request_from_token(token + "x") is None
    assert services.request_from_token("garbage") is None


def test_feedback_needs_a_rating(council):
    with pytest.raises(ValidationError):
        services.feedback_give(council=council, rating=0, comment="")
    given = services.feedback_give(council=council, rating=4, comment="Quick and clear")
    assert given.rating == 4 and FrontDoorRequest.objects.count() == 0


def test_accepting_a_professionals_referral_keeps_its_nhs_number_address_and_gp(council, officer):
    sent = submit(council, likely_answers())
    FrontDoorRequest.objects.filter(pk=sent.pk).update(
        person_nhs_number="9434765919",
        person_address_line_1="4 Quarry Row",
        person_address_line_2="Upper Ley",
        person_town="Wellbrook",
        gp_practice="Ley Lane Surgery",
    )
    sent.refresh_from_db()
    new = services.NewServiceUser(
        ss_ref="SS-5522",
        first_name="Edith",
        last_name="Marlowe",
        date_of_birth=sent.person_date_of_birth,
    )
    services.request_accept(request=sent, by=officer, new=new)
    person = ServiceUser.objects.get(ss_ref="SS-5522")
    assert (person.nhs_number, person.address_line_1, person.town, person.gp_practice) == (
        "9434765919",
        "4 Quarry Row",
        "Wellbrook",
        "Ley Lane Surgery",
    )


def test_a_known_nhs_number_offers_its_person_whatever_the_name(council, officer):
    known = ServiceUser.objects.create(
        council=council,
        ss_ref="K1",
        first_name="Edie",
        last_name="Marlow",
        date_of_birth="1950-01-01",
        nhs_number="9434765919",
    )
    sent = submit(council, likely_answers())
    FrontDoorRequest.objects.filter(pk=sent.pk).update(person_nhs_number="9434765919")
    sent.refresh_from_db()
    assert known in matching_service_users(sent)
