"""Each contract's supplier reference (the provider's number in the council's finance system, on
the finance export), on the council's payment settings page: its administrators set, change or
clear it, one audited change a time (a repeat writes nothing); its brokers may look; a provider or a
payments officer may not; a reference a spreadsheet could read as a formula, or with other
characters, is refused against its field with nothing written; another council's contract is not
found; the list is a page at a time with the same queries whatever the council holds."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carebridge.accounts.models import User
from carebridge.audit.models import Event
from carebridge.contracts.exports import neutralise
from carebridge.core.lists import PAGE_SIZE
from carebridge.core.permissions import Role
from carebridge.organisations.models import Contract, Council
from carebridge.organisations.services import payment_settings as services
from tests.support import client_for, make_contract, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("organisations:payment_settings")
ACTION = "contract.supplier_reference_set"
ALLOWED = re.compile(r"[A-Za-z0-9][A-Za-z0-9 /-]{0,29}")


def edit_url(contract: Contract) -> str:
    return reverse("organisations:contract_supplier_reference_edit", args=[contract.pk])


@dataclass
class Books:
    council: Council
    contract: Contract
    administrator: User
    broker: User
    payments_officer: User
    provider_user: User
    other_council: Council
    other_contract: Contract
    other_administrator: User


@pytest.fixture
def books() -> Books:
    council, other = make_council("Ashdown Vale Council"), make_council("Quillinghurst Council")
    provider = make_provider("Bluebell Lane Care")
    return Books(
        council=council,
        contract=make_contract(council, provider, reference="AV-0001"),
        administrator=make_user(council=council, role=Role.COUNCIL_ADMINISTRATOR),
        broker=make_user(council=council, role=Role.BROKER),
        payments_officer=make_user(council=council, role=Role.PAYMENTS_OFFICER),
        # Super User (Scheduled) edits its own organisation's details: still not a council's.
        provider_user=make_user(provider=provider, role=Role.SUPER_USER_SCHEDULED),
        other_council=other,
        other_contract=make_contract(
            other, make_provider("Zephyrine Domiciliary Services"), reference="QX-7777"
        ),
        other_administrator=make_user(council=other, role=Role.COUNCIL_ADMINISTRATOR),
    )


def events() -> list[Event]:
    return list(Event.objects.filter(action=ACTION).order_by("pk"))


def reference_of(contract: Contract) -> str:
    return Contract.objects.get(pk=contract.pk).supplier_reference


# --- Setting, changing and clearing ------------------------------------------------------------


def test_the_administrator_sets_a_contracts_supplier_reference_audited(books):
    client = client_for(books.administrator)
    page = client.get(edit_url(books.contract))
    assert page.status_code == 200
    assert "Bluebell Lane Care" in page.content.decode()

    response = client.post(edit_url(books.contract), {"supplier_reference": " SUP-0042/A "})

    assert response.status_code == 302
    assert response.url == f"{OVERVIEW}#supplier-references"
    assert reference_of(books.contract) == "SUP-0042/A"
    (event,) = events()
    assert event.actor == books.administrator
    assert event.council_id == books.council.pk
    assert event.before == {"supplier_reference": ""}
    assert event.after == {"supplier_reference": "SUP-0042/A"}
    overview = client.get(OVERVIEW).content.decode()
    assert "SUP-0042/A" in overview
    assert "is saved" in overview
    assert reference_of(books.other_contract) == ""


def test_saving_the_same_reference_again_writes_nothing(books):
    client = client_for(books.administrator)
    for value in ("S104417", "S104417", "  S104417 "):
        assert client.post(edit_url(books.contract), {"supplier_reference": value}).status_code == (
            302
        )

    assert reference_of(books.contract) == "S104417"
    assert len(events()) == 1


def test_a_change_and_a_clearing_are_audited_with_only_the_reference(books):
    client = client_for(books.administrator)
    client.post(edit_url(books.contract), {"supplier_reference": "WBS-20913"})
    client.post(edit_url(books.contract), {"supplier_reference": "WBS-20877"})
    client.post(edit_url(books.contract), {"supplier_reference": ""})

    assert reference_of(books.contract) == ""
    assert [(e.before, e.after) for e in events()] == [
        ({"supplier_reference": ""}, {"supplier_reference": "WBS-20913"}),
        ({"supplier_reference": "WBS-20913"}, {"supplier_reference": "WBS-20877"}),
        ({"supplier_reference": "WBS-20877"}, {"supplier_reference": ""}),
    ]
    assert "Not set" in client.get(OVERVIEW).content.decode()


def test_the_change_page_shows_the_reference_kept(books):
    services.contract_supplier_reference_set(
        by=books.administrator, contract=books.contract, supplier_reference="S104652"
    )

    response = client_for(books.administrator).get(edit_url(books.contract))

    assert response.context["form"].initial == {"supplier_reference": "S104652"}
    assert 'value="S104652"' in response.content.decode()


# --- What a reference may be -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("=HYPERLINK(1)", "must start with a letter or number"),
        ("+441632960001", "must start with a letter or number"),
        ("-42", "must start with a letter or number"),
        ("@SUM(A1)", "must start with a letter or number"),
        ("/SUP", "must start with a letter or number"),
        ("SUP_0042", "only letters, numbers, spaces, hyphens and slashes"),
        ("SUP.0042", "only letters, numbers, spaces, hyphens and slashes"),
        ("SUP=1+1", "only letters, numbers, spaces, hyphens and slashes"),
        ("S" * 31, "must be 30 characters or fewer"),
        ("SUP\x070042", "control"),
    ],
)
def test_a_bad_reference_is_shown_against_its_field_and_nothing_is_written(books, value, message):
    response = client_for(books.administrator).post(
        edit_url(books.contract), {"supplier_reference": value}
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["supplier_reference"]
    assert any(message in error.lower() for error in errors), errors
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#id_supplier_reference"' in page
    assert reference_of(books.contract) == ""
    assert not events()


def test_thirty_characters_are_kept(books):
    client_for(books.administrator).post(edit_url(books.contract), {"supplier_reference": "S" * 30})

    assert reference_of(books.contract) == "S" * 30


@pytest.mark.parametrize("value", ["=1+1", "'SUP", "SUP_1", "S" * 31, "SUP\tX"])
def test_the_service_itself_refuses_a_bad_reference(books, value):
    services.contract_supplier_reference_set(
        by=books.administrator, contract=books.contract, supplier_reference="KEPT-1"
    )
    with pytest.raises(ValidationError) as refused:
        services.contract_supplier_reference_set(
            by=books.administrator, contract=books.contract, supplier_reference=value
        )

    assert "supplier_reference" in refused.value.message_dict
    assert reference_of(books.contract) == "KEPT-1"
    assert len(events()) == 1


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet=st.sampled_from("aZ09 -/_.=+@'\t\"£"), max_size=34))
def test_whatever_is_kept_a_spreadsheet_reads_as_text(books, value):
    """Any input is either refused, changing nothing, or kept as a reference of the allowed
    characters that the finance export writes unchanged (no formula to neutralise)."""
    before = reference_of(books.contract)
    try:
        contract = services.contract_supplier_reference_set(
            by=books.administrator, contract=books.contract, supplier_reference=value
        )
    except ValidationError:
        assert reference_of(books.contract) == before
        return
    kept = contract.supplier_reference
    assert kept == value.strip() == reference_of(books.contract)
    assert kept == "" or ALLOWED.fullmatch(kept)
    assert neutralise(kept) == kept


# --- Who may -----------------------------------------------------------------------------------


def test_another_councils_contract_is_not_found(books):
    client = client_for(books.administrator)

    assert client.get(edit_url(books.other_contract)).status_code == 404
    response = client.post(edit_url(books.other_contract), {"supplier_reference": "SUP-1"})
    assert response.status_code == 404
    assert reference_of(books.other_contract) == ""
    assert not events()
    assert "QX-7777" not in client.get(OVERVIEW).content.decode()


def test_a_contract_that_does_not_exist_is_not_found(books):
    missing = reverse("organisations:contract_supplier_reference_edit", args=[987654])

    assert client_for(books.administrator).get(missing).status_code == 404


@pytest.mark.parametrize("who", ["provider_user", "payments_officer", "broker"])
def test_only_the_councils_administrators_may_change_a_reference(books, who):
    client = client_for(getattr(books, who))

    assert client.get(edit_url(books.contract)).status_code == 403
    assert client.post(edit_url(books.contract), {"supplier_reference": "SUP-1"}).status_code == (
        403
    )
    assert reference_of(books.contract) == ""
    assert not events()


def test_the_service_refuses_anyone_but_the_contracts_own_councils_administrator(books):
    for user in (books.broker, books.payments_officer, books.provider_user):
        with pytest.raises(services.PaymentSettingsRefused):
            services.contract_supplier_reference_set(
                by=user, contract=books.contract, supplier_reference="SUP-1"
            )
    with pytest.raises(services.PaymentSettingsRefused):
        services.contract_supplier_reference_set(
            by=books.other_administrator, contract=books.contract, supplier_reference="SUP-1"
        )
    assert reference_of(books.contract) == ""
    assert not events()


def test_a_broker_sees_the_references_without_change_links(books):
    response = client_for(books.broker).get(OVERVIEW)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Supplier references" in page
    assert "AV-0001" in page
    assert "Not set" in page
    assert edit_url(books.contract) not in page


# --- The list, a page at a time ----------------------------------------------------------------


def many_contracts(council: Council, count: int, *, start: int = 0) -> list[Contract]:
    return [
        make_contract(council, make_provider(f"Provider {n:04d}"), reference=f"BULK-{n:04d}")
        for n in range(start, start + count)
    ]


def test_the_list_is_a_page_at_a_time_and_a_change_returns_to_its_page(books):
    extra = many_contracts(books.council, PAGE_SIZE + 5)
    client = client_for(books.administrator)

    first = client.get(OVERVIEW)
    assert len(first.context["contracts"]) == PAGE_SIZE
    assert f'{edit_url(books.contract)}"' in first.content.decode()
    second = client.get(f"{OVERVIEW}?page=2")
    on_second = list(second.context["contracts"])
    assert len(on_second) == len(extra) + 1 - PAGE_SIZE
    # By provider name, as the finance export: Bluebell Lane Care, then the bulk in order.
    assert on_second[-1].reference == extra[-1].reference
    link = f"{edit_url(on_second[-1])}?page=2"
    assert link in second.content.decode()

    response = client.post(link, {"supplier_reference": "SUP-9"})

    assert response.url == f"{OVERVIEW}?page=2#supplier-references"


def test_a_page_number_that_is_not_one_goes_back_to_the_first_page(books):
    client = client_for(books.administrator)
    response = client.post(
        f"{edit_url(books.contract)}?page=//example.org", {"supplier_reference": "SUP-1"}
    )

    assert response.url == f"{OVERVIEW}#supplier-references"


def test_the_page_asks_the_same_queries_whatever_the_number_of_contracts(books):
    client = client_for(books.administrator)
    client.get(OVERVIEW)  # the session's own queries settle first
    many_contracts(books.council, 1)
    with CaptureQueriesContext(connection) as few:
        client.get(OVERVIEW)
    many_contracts(books.council, 2 * PAGE_SIZE, start=1)
    for contract in Contract.objects.filter(council=books.council)[:10]:
        services.contract_supplier_reference_set(
            by=books.administrator, contract=contract, supplier_reference=f"S{contract.pk}"
        )
    with CaptureQueriesContext(connection) as many:
        client.get(f"{OVERVIEW}?page=2")

    assert len(many) == len(few)
