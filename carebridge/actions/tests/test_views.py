"""The actions pages: the inbox and its filters, raising an action (only about the provider's own
things), the thread with its buttons, attachments, safeguarding concerns and the header's
indicator."""

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse

from carebridge.actions import services
from carebridge.actions.choices import ActionStatus, PostKind, RelatedKind
from carebridge.actions.models import Action, Attachment
from carebridge.actions.tests.conftest import TINY_PDF, in_days, pdf
from carebridge.audit.models import Event
from carebridge.contracts.commitment import financial_year_of
from carebridge.core.calendar import now
from tests.support import client_for

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


def inbox(user, **query) -> str:
    return body(client_for(user).get(reverse("actions:action_list"), query))


def date_fields(name, day) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def new_action_data(world, **overrides) -> dict:
    data = {
        "action_type": world.catalogue.payment_query.pk,
        "related_kind": RelatedKind.CLIENT,
        "entity": f"client:{world.person.pk}",
        **date_fields("due_date", in_days(5)),
        "team": "",
        "title": "Payment query",
        "text": "We have not been paid for the visit on 16/12.",
    }
    data.update(overrides)
    return data


def post(user, action, kind, **data):
    return client_for(user).post(
        reverse("actions:action_post", args=[action.pk]), {"kind": kind, **data}
    )


# --- Raising an action ------------------------------------------------------------------------


def test_a_provider_raises_an_action_that_goes_to_the_types_team(world):
    client = client_for(world.carer)
    data = new_action_data(world, attachments=[pdf("a.pdf"), pdf("b.pdf")])
    response = client.post(reverse("actions:action_new"), data)
    assert response.status_code == 302
    action = Action.objects.get()
    assert action.assigned_team == world.catalogue.payments
    assert action.service_user == world.person
    assert Attachment.objects.filter(post__action=action).count() == 2
    page = body(client.get(response["Location"]))
    assert "Action raised: it is assigned to Council (Payments &amp; Contracts Team)" in page
    assert "Phoebe Buffay (Client)" in page
    assert "Download a.pdf" in page and "Download b.pdf" in page
    assert "Request closure" in page and ">Close<" not in page


def test_the_new_action_form_offers_only_the_providers_own_things_and_open_teams(world):
    page = body(client_for(world.carer).get(reverse("actions:action_new")))
    assert "Buffay" in page
    assert "Vandersnoot" not in page
    assert "Payments &amp; Contracts Team" in page
    assert "Systems Team" not in page  # internal only


def test_a_provider_cannot_attach_an_action_to_another_providers_client(world):
    data = new_action_data(world, entity=f"client:{world.other_person.pk}")
    response = client_for(world.carer).post(reverse("actions:action_new"), data)
    assert response.status_code == 200
    assert "There is a problem" in body(response)
    assert "Choose the client" in body(response)
    assert "Vandersnoot" not in body(response)
    assert not Action.objects.exists()


def test_a_type_without_a_team_needs_one_chosen_and_never_an_internal_one(world):
    client = client_for(world.carer)
    other = world.catalogue.other.pk
    response = client.post(reverse("actions:action_new"), new_action_data(world, action_type=other))
    assert "Choose the team to assign the action to" in body(response)
    response = client.post(
        reverse("actions:action_new"),
        new_action_data(world, action_type=other, team=world.catalogue.internal.pk),
    )
    assert response.status_code == 200 and not Action.objects.exists()
    response = client.post(
        reverse("actions:action_new"),
        new_action_data(world, action_type=other, team=world.catalogue.brokerage.pk),
    )
    assert response.status_code == 302
    assert Action.objects.get().assigned_team == world.catalogue.brokerage


def test_a_bad_attachment_is_an_error_on_the_form_and_nothing_is_written(world):
    fake = {"attachments": [pdf("ok.pdf"), pdf_named("virus.pdf", b"MZ\x90\x00not a pdf")]}
    response = client_for(world.carer).post(
        reverse("actions:action_new"), new_action_data(world, **fake)
    )
    assert response.status_code == 200
    assert "There is a problem" in body(response)
    assert not Action.objects.exists() and not Attachment.objects.exists()


def pdf_named(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_a_cpli_link_fills_in_what_the_action_is_about(world):
    url = f"{reverse('actions:action_new')}?related_kind=cpli&related_id={world.cpli.pk}"
    page = body(client_for(world.carer).get(url))
    assert f'value="cpli:{world.cpli.pk}" selected' in page
    assert '<option value="cpli" selected>' in page


def test_choosing_related_to_narrows_the_entities_with_htmx(world):
    carer = client_for(world.carer)
    page = body(carer.get(reverse("actions:action_new")))
    # Without JavaScript every kind's entities are offered, grouped; the select asks for them.
    assert f'value="client:{world.person.pk}"' in page
    assert f'value="cpli:{world.cpli.pk}"' in page
    assert 'hx-get="/actions/new/?council=' in page
    narrowed = body(
        carer.get(reverse("actions:action_new"), {"related_kind": "client"}, HTTP_HX_REQUEST="true")
    )
    assert f'value="client:{world.person.pk}"' in narrowed
    assert f'value="cpli:{world.cpli.pk}"' not in narrowed
    # Another provider's clients are never among them.
    assert f'value="client:{world.other_person.pk}"' not in narrowed


def test_a_read_only_user_cannot_raise_or_post(world):
    action = world.raise_action()
    reader = client_for(world.reader)
    assert reader.get(reverse("actions:action_new")).status_code == 403
    assert "Reply" not in body(reader.get(reverse("actions:action_detail", args=[action.pk])))
    assert post(world.reader, action, "comment", text="Hello").status_code == 403


# --- Who reads what ---------------------------------------------------------------------------


def test_another_provider_can_read_neither_the_thread_nor_its_attachments(world):
    action = world.raise_action(files=[pdf()])
    attachment = Attachment.objects.get()
    stranger = client_for(world.stranger)
    assert stranger.get(reverse("actions:action_detail", args=[action.pk])).status_code == 404
    assert post(world.stranger, action, "comment", text="Hi").status_code == 404
    download = reverse("actions:attachment_download", args=[attachment.pk])
    assert stranger.get(download).status_code == 404
    assert "Payment query" not in inbox(world.stranger, open_only="")


def test_the_attachment_downloads_as_stored_for_those_who_may_read_it(world):
    world.raise_action(files=[pdf("plan.pdf")])
    attachment = Attachment.objects.get()
    response = client_for(world.payments_officer).get(
        reverse("actions:attachment_download", args=[attachment.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == TINY_PDF
    assert Event.objects.filter(action="action.attachment_downloaded").count() == 1


def test_a_safeguarding_concern_goes_to_the_safeguarding_team_urgent_and_hidden(world):
    response = client_for(world.carer).post(
        reverse("actions:action_new"),
        new_action_data(
            world, action_type=world.catalogue.safeguarding_concern.pk, title="Bruising seen"
        ),
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert action.assigned_team == world.catalogue.safeguarding
    assert action.urgent and action.is_safeguarding
    detail = reverse("actions:action_detail", args=[action.pk])
    for outsider in (world.broker, world.payments_officer, world.stranger):
        assert client_for(outsider).get(detail).status_code == 404
        assert "Bruising seen" not in inbox(outsider, open_only="on")
    for insider in (world.safeguarding_officer, world.carer):
        page = body(client_for(insider).get(detail))
        assert "Bruising seen" in page and "Urgent" in page
    assert "Bruising seen" in inbox(world.safeguarding_officer)


def test_an_other_action_sent_to_the_safeguarding_team_is_a_concern_too(world):
    action = world.raise_action(
        action_type=world.catalogue.other,
        team=world.catalogue.safeguarding,
        title="Worried about a neighbour's visits",
    )
    assert action.assigned_team == world.catalogue.safeguarding
    assert action.urgent and action.is_safeguarding
    detail = reverse("actions:action_detail", args=[action.pk])
    assert client_for(world.broker).get(detail).status_code == 404
    assert client_for(world.safeguarding_officer).get(detail).status_code == 200


# --- The thread -------------------------------------------------------------------------------


def test_a_reply_hands_the_action_to_the_other_side(world):
    action = world.raise_action()
    response = post(world.payments_officer, action, "reply", text="Amend the actual, please.")
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.assigned_team is None
    response = post(world.carer, action, "reply", text="Done.")
    action.refresh_from_db()
    assert action.assigned_team == world.catalogue.payments
    page = body(client_for(world.carer).get(reverse("actions:action_detail", args=[action.pk])))
    assert (
        page.index("We have not received payment")
        < page.index("Amend the actual")
        < (page.index("Done."))
    )
    assert "Assigned to Diamond Home Care" in page


def test_a_comment_leaves_the_action_where_it_is_and_needs_text(world):
    action = world.raise_action()
    response = post(world.carer, action, "comment", text="")
    assert response.status_code == 200 and "Enter your comment" in body(response)
    assert post(world.carer, action, "comment", text="One more thing").status_code == 302
    action.refresh_from_db()
    assert action.assigned_team == world.catalogue.payments
    assert action.posts.count() == 2


def test_a_provider_requests_closure_and_only_the_council_closes(world):
    action = world.raise_action()
    post(world.payments_officer, action, "reply", text="Paid now.")
    response = post(
        world.carer,
        action,
        "closure_requested",
        text="OK - will do. Thanks.",
        team=world.catalogue.payments.pk,
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.is_open and action.assigned_team == world.catalogue.payments
    assert post(world.carer, action, "closed", text="").status_code == 403
    action.refresh_from_db()
    assert action.is_open
    assert post(world.payments_officer, action, "closed", text="").status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.CLOSED
    assert action.posts.last().kind == PostKind.CLOSED


def test_a_closed_action_leaves_the_inbox_and_takes_no_more_posts(world):
    action = world.raise_action(title="Paid twice")
    post(world.payments_officer, action, "closed")
    assert "Paid twice" not in inbox(world.carer)
    assert "Paid twice" in inbox(world.carer, open_only="", assigned="", action_type="")
    response = post(world.carer, action, "comment", text="Another thing")
    assert response.status_code == 302
    assert action.posts.count() == 2
    page = body(client_for(world.carer).get(response["Location"]))
    assert "This action is closed" in page


# --- The inbox --------------------------------------------------------------------------------


def test_the_inbox_filters_by_assignment_and_type(world):
    world.raise_action(title="Waiting for the council")
    mine = world.raise_action(title="Care plan to read", action_type=world.catalogue.new_care_plan)
    post(world.broker, mine, "reply", text="Please read the plan.")
    everything = inbox(world.carer)
    assert "Waiting for the council" in everything and "Care plan to read" in everything
    ours = inbox(world.carer, open_only="on", assigned="provider")
    assert "Care plan to read" in ours and "Waiting for the council" not in ours
    theirs = inbox(world.carer, open_only="on", assigned="council")
    assert "Waiting for the council" in theirs and "Care plan to read" not in theirs
    typed = inbox(world.carer, open_only="on", action_type=world.catalogue.payment_query.pk)
    assert "Waiting for the council" in typed and "Care plan to read" not in typed


def test_a_council_officer_starts_at_their_teams_actions(world):
    world.raise_action(title="For payments")
    world.raise_action(title="For brokerage", action_type=world.catalogue.new_care_plan)
    page = inbox(world.payments_officer)
    assert "For payments" in page and "For brokerage" not in page
    anyone = inbox(world.payments_officer, open_only="on", assigned="")
    assert "For payments" in anyone and "For brokerage" in anyone
    assert "Diamond Home Care" in anyone


def test_the_council_raises_an_action_for_a_provider(world):
    client = client_for(world.broker)
    chooser = body(client.get(reverse("actions:action_new")))
    assert "Which provider is the action for?" in chooser
    data = new_action_data(
        world, action_type=world.catalogue.new_care_plan.pk, provider=world.provider.pk
    )
    response = client.post(reverse("actions:action_new"), data)
    assert response.status_code == 302
    action = Action.objects.get()
    assert action.provider == world.provider and action.assigned_team is None
    assert "Payment query" in inbox(world.carer, open_only="on", assigned="provider")


# --- The header's indicator -------------------------------------------------------------------


def test_the_indicator_is_amber_when_actions_wait_and_red_when_one_is_late(world):
    home = reverse("home:home")
    assert "actions waiting" not in body(client_for(world.carer).get(home))
    action = world.raise_action(due_date=in_days(1))
    post(world.payments_officer, action, "reply", text="Over to you")
    page = body(client_for(world.carer).get(home))
    assert "govuk-tag--orange" in page and "1 action waiting<" in page
    later = now() + timedelta(days=3)
    with mock.patch("carebridge.core.calendar.now", return_value=later):
        page = body(client_for(world.carer).get(home))
    assert "govuk-tag--red" in page and "1 action waiting, 1 overdue" in page
    # The council team sees its own waiting actions; the provider no longer does.
    post(world.carer, action, "reply", text="Back to you")
    assert "1 action waiting" in body(client_for(world.payments_officer).get(home))
    assert "action waiting" not in body(client_for(world.broker).get(home))


# --- Links to and from other pages ------------------------------------------------------------


def test_the_thread_links_to_the_clients_purchase_orders_service_and_actuals(world):
    action = world.raise_action(related_kind=RelatedKind.CPLI, related_id=world.cpli.pk)
    page = body(client_for(world.carer).get(reverse("actions:action_detail", args=[action.pk])))
    assert "Related links" in page
    assert f"/cplis/purchase-orders/{world.person.pk}/" in page
    assert reverse("organisations:service_detail", args=[world.service.pk]) in page
    assert (
        reverse("actuals:client", args=[world.person.pk]) + f"?service={world.service.pk}" in page
    )


def test_a_purchase_order_line_offers_to_raise_an_action_about_it(world):
    url = reverse(
        "cplis:po_detail",
        kwargs={
            "service_user_id": world.person.pk,
            "year": financial_year_of(world.cpli.start_date),
        },
    )
    page = body(client_for(world.carer).get(url))
    assert f"related_kind=cpli&amp;related_id={world.cpli.pk}" in page


def _inbox_queries(world, count: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(count):
        world.raise_action(title=f"Query number {count}-{n}")
    client = client_for(world.carer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("actions:action_list"))
    assert response.status_code == 200
    return len(queries)


def test_the_inbox_runs_the_same_queries_for_few_actions_or_many(world):
    assert _inbox_queries(world, 2) == _inbox_queries(world, 12)


def test_an_actions_page_runs_the_same_queries_for_a_short_thread_or_a_long_one(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for replies in (1, 8):
        action = world.raise_action(title=f"Thread of {replies}")
        for n in range(replies):
            services.action_post(
                by=world.carer, action=action, kind="comment", text=f"Note {n}", files=[pdf()]
            )
        client = client_for(world.carer)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("actions:action_detail", args=[action.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_an_infected_attachment_is_refused_and_audited_against_its_sender(world, clamd):
    from django.test import override_settings

    from carebridge.core.tests.test_uploads import ooxml
    from conftest import EICAR

    # A Word document with the test file inside: the type is accepted, so clamd is asked.
    document = ooxml({"word/document.xml": b"<w/>", "word/media/x.bin": EICAR})
    infected = {"attachments": [pdf_named("minutes.docx", document)]}
    with override_settings(CLAMD_ADDRESS=clamd):
        response = client_for(world.carer).post(
            reverse("actions:action_new"), new_action_data(world, **infected)
        )
    assert response.status_code == 200
    assert "The file minutes.docx contains a virus: it has not been uploaded" in body(response)
    assert not Action.objects.exists() and not Attachment.objects.exists()
    event = Event.objects.get(action="upload.infected")
    assert event.actor == world.carer and event.provider_id == world.carer.provider_id
    assert event.ip_address == "127.0.0.1"
    assert event.detail["signature"].startswith("Carebridge.Test.EICAR")
    assert EICAR.decode() not in str(event.detail)
