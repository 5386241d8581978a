"""The access matrix: which objects of another council and another provider each URL is tried with.

Every URL pattern with arguments must have an entry here, or the matrix test fails: when you add
a URL, register the foreign object it takes (and who owns it, to prove the URL works for them).
"""

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from carebridge.accounts.models import User
from carebridge.actions import services as actions
from carebridge.actions.models import Action, Attachment
from carebridge.actuals import services as actuals
from carebridge.actuals.models import Period
from carebridge.actuals.periods import WEEK, week_of
from carebridge.contracts import services as contracts
from carebridge.contracts.commitment import financial_year_of
from carebridge.contracts.models import ContractDocument
from carebridge.core.calendar import today
from carebridge.core.permissions import COUNCIL_ROLES, PROVIDER_ROLES
from carebridge.disputes.models import Dispute, DisputeReason
from carebridge.frontdoor.assessment.eligibility import assess
from carebridge.frontdoor.directory import areas as directory_areas
from carebridge.frontdoor.directory import imports as directory_imports
from carebridge.frontdoor.hubs import services as hubs
from carebridge.frontdoor.hubs.access import LinkPurpose, booking_token
from carebridge.frontdoor.models import (
    Booking,
    DirectoryImport,
    DirectoryService,
    FrontDoorRequest,
    Hub,
    NeighbouringArea,
    Slot,
)
from carebridge.frontdoor.requests import services as frontdoor
from carebridge.frontdoor.requests.services import track_token
from carebridge.integrations.models import ApiToken
from carebridge.organisations import services as org
from carebridge.organisations.choices import TeamKind
from carebridge.organisations.models import ChangeRequest, Contract, Council, Provider, Service
from carebridge.payments.models import (
    ClaimAttachment,
    ClaimClientItem,
    Invoice,
    OneOffClaim,
    PaymentRun,
    VariationRequest,
)
from carebridge.people import services as people
from carebridge.people.models import ServiceUser
from carebridge.referrals.models import Referral
from carebridge.subjectaccess.models import SubjectAccessExport, SubjectAccessRequest
from tests import access_matrix_disputes as disputes_part
from tests import access_matrix_frontdoor as frontdoor_part
from tests import access_matrix_retention as retention_part
from tests import access_matrix_subjectaccess as subjectaccess_part
from tests.access_entry import Entry
from tests.access_matrix_accounts import REGISTRY as ACCOUNTS_REGISTRY
from tests.access_matrix_help import MARKERS as HELP_MARKERS
from tests.access_matrix_help import REGISTRY as HELP_REGISTRY
from tests.access_matrix_help import build_help
from tests.access_matrix_integrations import MARKERS as INTEGRATIONS_MARKERS
from tests.access_matrix_integrations import REGISTRY as INTEGRATIONS_REGISTRY
from tests.access_matrix_integrations import build_integrations
from tests.access_matrix_payments import MARKERS as PAYMENTS_MARKERS
from tests.access_matrix_payments import REGISTRY as PAYMENTS_REGISTRY
from tests.access_matrix_payments import build_payments
from tests.access_matrix_reports import REGISTRY as REPORTS_REGISTRY
from tests.access_matrix_runs import MARKERS as RUNS_MARKERS
from tests.access_matrix_runs import REGISTRY as RUNS_REGISTRY
from tests.access_matrix_runs import build_runs
from tests.support import (
    PASSWORD,
    make_contract,
    make_council,
    make_district,
    make_provider,
    make_referral,
    make_user,
)


@dataclass
class World:
    """Our council and provider, with a user in every role; and another council and provider."""

    council: Council
    provider: Provider
    other_council: Council
    other_provider: Provider
    other_contract: Contract
    personas: dict[str, User | None]
    other_council_admin: User
    other_council_broker: User
    other_provider_user: User
    other_provider_colleague: User
    other_service_user: ServiceUser
    other_referral: Referral
    other_document: ContractDocument
    other_service: Service
    other_change_request: ChangeRequest
    other_period: Period
    other_payments_officer: User
    other_action: Action
    other_attachment: Attachment
    other_front_door_officer: User
    other_request: FrontDoorRequest
    other_hub: Hub
    other_slot: Slot
    other_booking: Booking
    other_directory_import: DirectoryImport
    other_directory_service: DirectoryService
    other_neighbour: NeighbouringArea
    other_variation: VariationRequest
    other_invoice: Invoice  # submitted: the council's payments team sees it
    other_draft_invoice: Invoice  # unsubmitted: still its provider's to change
    other_claim: OneOffClaim  # submitted: the council's payments team decides it
    other_claim_item: ClaimClientItem
    other_claim_file: ClaimAttachment
    other_dispute: Dispute  # In Dispute: its council's officers and its provider see it
    other_reason: DisputeReason  # of the other council's catalogue of dispute reasons
    other_run: PaymentRun  # finalised, paying the other provider
    other_api_token: ApiToken  # made by the other provider's Super User
    other_ig_officer: User  # the other council's information-governance officer
    other_sar: SubjectAccessRequest  # about the other council's person, identity verified
    other_sar_export: SubjectAccessExport  # prepared by that officer, not yet downloaded
    markers: list[str] = field(default_factory=list)


def build_world() -> World:
    council = make_council("Ashdown Vale Council")
    provider = make_provider("Bluebell Lane Care")
    make_contract(council, provider)
    # The other organisations' names are markers that must never appear on our pages.
    other_council = make_council("Quillinghurst Metropolitan Council")
    other_provider = make_provider("Zephyrine Domiciliary Services")
    other_contract = make_contract(other_council, other_provider)

    personas: dict[str, User | None] = {"anonymous": None}
    for role in sorted(COUNCIL_ROLES):
        personas[f"council:{role}"] = make_user(council=council, role=role)
    for role in sorted(PROVIDER_ROLES):
        personas[f"provider:{role}"] = make_user(provider=provider, role=role)

    other_admin = make_user(
        council=other_council, role="council_administrator", email="quill.admin@example.org"
    )
    other_broker = make_user(council=other_council, role="broker", email="quill.broker@example.org")
    other_officer = make_user(
        council=other_council, role="payments_officer", email="quill.payments@example.org"
    )
    other_provider_user = make_user(
        provider=other_provider, role="super_user_scheduled", email="zeph.super@example.org"
    )
    # The account actions are tried on this colleague, so closing it leaves the owner able to
    # reach every other registered object.
    other_colleague = make_user(
        provider=other_provider, role="read_only", email="zeph.reader@example.org"
    )
    other_person = people.service_user_create(
        council=other_council,
        by=other_admin,
        ss_ref="QX990001",
        first_name="Ottoline",
        last_name="Vandersnoot",
        date_of_birth=date(1936, 2, 14),
        nhs_number="9434765919",
        postcode="EC1A 1BB",
    )
    other_referral = make_referral(
        other_council,
        other_provider,
        by=other_broker,
        district=make_district(other_council, "Quillinghurst North"),
        person=other_person,
        hospital="Zanzibar Infirmary",
    )
    # An agreed contract document of the others, with its CPLI and so a purchase order.
    other_service = org.service_create(
        provider=other_provider, name="Zephyrine Riverside Branch", postcode="EC1A 1BB"
    )
    other_document = contracts.contract_document_publish(
        council=other_council,
        service=other_service,
        service_user=other_person,
        care_package_reference="QX-PACKAGE-77",
        lines=[
            contracts.Line(
                service_level=contracts.service_level_create(
                    council=other_council, name="Quill Night Sits", unit="nights", by=other_broker
                ),
                quantity=Decimal("2"),
                rate=Decimal("98.50"),
                pricing_basis="spot",
                start_date=date(2026, 4, 6),
            )
        ],
        by=other_broker,
    )
    contracts.contract_document_agree(
        document=other_document, by=other_provider_user, password=PASSWORD
    )
    # A change the other provider asked its council for, still waiting for review.
    other_change_request = org.change_request_raise(
        by=other_provider_user,
        kind="update_service",
        service=other_service,
        proposed={"phone": "0114 496 0777"},
    )
    # The others' actuals for last week, generated from that CPLI in the period just ended.
    actuals.periods_open()
    last_week = week_of(today(), 0) - WEEK
    actuals.actuals_generate(other_provider_user, weeks=[last_week])
    other_period = Period.objects.get(
        council=other_council, start_date__lte=last_week, end_date__gte=last_week
    )
    # An action the other provider raised with its council about its client, with a file.
    payments_team = org.team_create(
        council=other_council, name="Quill Payments Team", kind=TeamKind.PAYMENTS
    )
    other_action = actions.action_create(
        by=other_provider_user,
        new=actions.NewAction(
            council=other_council,
            provider=other_provider,
            action_type=actions.action_type_create(
                council=other_council, name="Quill Payment Query", default_team=payments_team
            ),
            related_kind="client",
            related_id=other_person.pk,
            due_date=today() + timedelta(days=7),
            team=None,
            title="Zebedee invoice puzzle",
            text="Quill payment missing for the night sits.",
        ),
        files=[
            SimpleUploadedFile("zebedee.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        ],
    )
    # Invoices, a variation request and a one-off claim of the others.
    other_payments = build_payments(
        council=other_council,
        provider_user=other_provider_user,
        service=other_service,
        period=other_period,
        document=other_document,
        person=other_person,
        last_week=last_week,
    )
    other_run = build_runs(
        council=other_council,
        officer=other_officer,
        provider_user=other_provider_user,
        service=other_service,
        last_week=last_week,
    )
    # The front door: ours open to the public, theirs closed (its public pages are not found),
    # with a request an officer of theirs works on, a hub, a free slot and a booked one.
    frontdoor.front_door_settings_update(council=council, by=None, is_open=True)
    other_front_door = make_user(
        council=other_council, role="front_door_officer", email="quill.frontdoor@example.org"
    )
    frontdoor.front_door_settings_update(council=other_council, by=None, is_open=False)
    quill_answers = {
        "asker": "self",
        "about": "adult",
        "urgent": ["danger"],
        "consent": "yes",
        "person_name": "Perpetua Quagmire",
        "person_email": "perpetua@example.org",
        "postcode": "EC1A 1BB",
    }
    other_request = frontdoor.request_submit(
        council=other_council,
        contact=frontdoor.contact_from(quill_answers),
        answers=quill_answers,
        assessment=assess(quill_answers),
    )
    # Their feedback: the front-door officers' feedback list and its export must never show it.
    frontdoor.feedback_give(
        council=other_council,
        rating=1,
        comment="Quillfeather grumble about the questions",
        request=other_request,
    )
    other_hub = hubs.hub_create(
        council=other_council,
        by=other_front_door,
        name="Quillinghurst Zenith Hub",
        address_line_1="9 Zenith Row",
        town="Quillinghurst",
        postcode="EC1A 1BB",
    )
    tomorrow = today() + timedelta(days=1)
    hubs.slots_publish(
        hub=other_hub,
        first_day=tomorrow,
        last_day=tomorrow + timedelta(days=6),
        weekdays=set(range(7)),
        start_time=time(10),
        end_time=time(12),
        length_minutes=30,
        by=other_front_door,
    )
    other_slot, booked = list(other_hub.slots.order_by("starts_at")[:2])
    other_booking = hubs.booking_hold(
        slot=booked, name="Perpetua Quagmire", email="perpetua@example.org"
    )
    other_directory_import = directory_imports.directory_import(
        council=other_council,
        source=str(Path("carebridge/frontdoor/tests/data/oruk_services.json")),
        by=other_front_door,
    )
    other_neighbour = directory_areas.neighbouring_area_create(
        council=other_council,
        by=other_front_door,
        name="Quillshire Neighbour Council",
        postcode_districts="QX9",
    )
    world = World(
        council=council,
        provider=provider,
        other_council=other_council,
        other_provider=other_provider,
        other_contract=other_contract,
        personas=personas,
        other_council_admin=other_admin,
        other_council_broker=other_broker,
        other_provider_user=other_provider_user,
        other_provider_colleague=other_colleague,
        other_service_user=other_person,
        other_referral=other_referral,
        other_document=other_document,
        other_service=other_service,
        other_change_request=other_change_request,
        other_period=other_period,
        other_payments_officer=other_officer,
        other_action=other_action,
        other_attachment=Attachment.objects.get(post__action=other_action),
        other_front_door_officer=other_front_door,
        other_request=other_request,
        other_hub=other_hub,
        other_slot=other_slot,
        other_booking=other_booking,
        other_directory_import=other_directory_import,
        other_directory_service=DirectoryService.objects.get(
            council=other_council, name="Thistlecombe Lunch Club"
        ),
        other_neighbour=other_neighbour,
        **other_payments,
        **other_run,
        **disputes_part.build_disputes(council=other_council, provider=other_provider),
        **build_integrations(
            council=other_council,
            provider=other_provider,
            provider_user=other_provider_user,
            referral=other_referral,
        ),
        **subjectaccess_part.build_subjectaccess(council=other_council, person=other_person),
    )
    build_help(world)
    retention_part.build_retention(world)
    frontdoor_part.build_frontdoor_teams(world)
    world.markers = [
        *HELP_MARKERS,
        *retention_part.MARKERS,
        *frontdoor_part.MARKERS,
        *PAYMENTS_MARKERS,
        *disputes_part.MARKERS,
        *RUNS_MARKERS,
        *INTEGRATIONS_MARKERS,
        *subjectaccess_part.MARKERS,
        other_council.name,
        other_provider.name,
        other_admin.email,
        other_broker.email,
        other_provider_user.email,
        other_colleague.email,
        "quill.payments@example.org",
        other_person.last_name,
        other_person.ss_ref,
        "943 476 5919",
        "9434765919",
        "Zanzibar Infirmary",
        "Quillinghurst North",
        "QX-PACKAGE-77",
        "Zephyrine Riverside Branch",
        "Quill Night Sits",
        "0114 496 0777",
        "Zebedee invoice puzzle",
        "Quill payment missing",
        "zebedee.pdf",
        "Zenith",
        "Perpetua Quagmire",
        "perpetua@example.org",
        "quill.frontdoor@example.org",
        other_request.reference,
        "Quillshire Neighbour Council",
        "Thistlecombe Lunch Club",
        "Quillfeather grumble",
    ]
    return world


REGISTRY: dict[str, Entry] = {
    **PAYMENTS_REGISTRY,
    **disputes_part.REGISTRY,
    **RUNS_REGISTRY,
    **REPORTS_REGISTRY,
    **INTEGRATIONS_REGISTRY,
    **subjectaccess_part.REGISTRY,
    **HELP_REGISTRY,
    **retention_part.REGISTRY,
    **frontdoor_part.REGISTRY,
    **ACCOUNTS_REGISTRY,
    # The provider's own details: its services and contacts; changes go through change requests,
    # which the council they were sent to reviews.
    **{
        f"organisations:{name}": Entry(
            kwargs=lambda w: {"pk": w.other_service.pk}, owner=lambda w: w.other_provider_user
        )
        for name in ("service_detail", "service_edit")
    },
    **{
        f"organisations:{name}": Entry(
            kwargs=lambda w: {"pk": w.other_provider_colleague.pk},
            owner=lambda w: w.other_provider_user,
        )
        for name in ("contact_detail", "contact_edit", "contact_remove_role")
    },
    **{
        f"organisations:{name}": Entry(
            kwargs=lambda w: {"pk": w.other_change_request.pk},
            owner=lambda w: w.other_council_admin,
        )
        for name in ("change_request_detail", "change_request_approve", "change_request_reject")
    },
    **{
        f"people:{name}": Entry(
            kwargs=lambda w: {"pk": w.other_service_user.pk}, owner=lambda w: w.other_council_broker
        )
        for name in ("service_user_detail", "cld_details", "rectify")
    },
    # Referrals: the provider answers (every form page shows for the owner, with a message when
    # the referral's state does not allow its action); the council withdraws.
    **{
        f"referrals:{name}": Entry(
            kwargs=lambda w: {"pk": w.other_referral.pk}, owner=lambda w: w.other_provider_user
        )
        for name in (
            "detail",
            "update_log",
            "accept",
            "refuse",
            "delay",
            "failed_start",
            "provider_update",
            "visit_actuals",
        )
    },
    "referrals:withdraw": Entry(
        kwargs=lambda w: {"pk": w.other_referral.pk}, owner=lambda w: w.other_council_broker
    ),
    # Contract documents: the provider reads and answers them (an answered one shows why it
    # cannot be answered again); purchase orders are per client and financial year.
    **{
        f"contracts:{name}": Entry(
            kwargs=lambda w: {"pk": w.other_document.pk}, owner=lambda w: w.other_provider_user
        )
        for name in (
            "document_detail",
            "document_pdf",
            "document_agree",
            "document_reject",
        )
    },
    # The council issues a new document after a rejection and terminates an agreed order (the
    # others' document is agreed: reissuing it shows why it cannot be, terminating shows the form).
    **{
        f"contracts:{name}": Entry(
            kwargs=lambda w: {"pk": w.other_document.pk}, owner=lambda w: w.other_council_broker
        )
        for name in ("document_reissue", "document_terminate")
    },
    # The council's payment settings: a service level's, and a contract's supplier reference.
    "contracts:service_level_edit": Entry(
        kwargs=lambda w: {"pk": w.other_document.cplis.get().service_level_id},
        owner=lambda w: w.other_council_admin,
    ),
    **{
        f"organisations:{name}": Entry(
            kwargs=lambda w: {"pk": w.other_contract.pk}, owner=lambda w: w.other_council_admin
        )
        for name in ("contract_supplier_reference_edit", "contract_provider_kind_edit")
    },
    "cplis:po_detail": Entry(
        kwargs=lambda w: {
            "service_user_id": w.other_service_user.pk,
            "year": financial_year_of(date(2026, 11, 23)),
        },
        owner=lambda w: w.other_council_broker,
    ),
    # Actuals: a client's week, a period's exceptions and confirmation (the provider), and
    # recording the period's payment (the council).
    "actuals:client": Entry(
        kwargs=lambda w: {"service_user_id": w.other_service_user.pk},
        owner=lambda w: w.other_provider_user,
    ),
    "actuals:period": Entry(
        kwargs=lambda w: {"pk": w.other_period.pk}, owner=lambda w: w.other_provider_user
    ),
    # The council's review of one provider's rows in its period, and their downloads.
    **{
        f"actuals:{name}": Entry(
            kwargs=lambda w: {"pk": w.other_period.pk, "provider_pk": w.other_provider.pk},
            owner=lambda w: w.other_payments_officer,
        )
        for name in ("council_review", "council_review_csv", "council_review_xlsx")
    },
    # Actions: the thread, its posts and its files, for the provider that raised it.
    **{
        f"actions:{name}": Entry(
            kwargs=lambda w: {"pk": w.other_action.pk}, owner=lambda w: w.other_provider_user
        )
        for name in ("action_detail", "action_post")
    },
    "actions:attachment_download": Entry(
        kwargs=lambda w: {"pk": w.other_attachment.pk}, owner=lambda w: w.other_provider_user
    ),
    # The public front door of a council whose front door is closed: not found for anyone.
    **{
        f"care:{name}": Entry(kwargs=lambda w: {"council": w.other_council.slug})
        for name in (
            "start",
            "check",
            "result",
            "urgent",
            "track",
            "feedback",
            "support",
            "appointment_start",
            "appointment_time",
            "appointment_details",
            "appointment_check",
            "appointment_held",
        )
    },
    "care:question": Entry(kwargs=lambda w: {"council": w.other_council.slug, "slug": "asker"}),
    "care:track_detail": Entry(
        kwargs=lambda w: {"council": w.other_council.slug, "reference": w.other_request.reference}
    ),
    # Links by token: another council's request or booking, tried through our open front door.
    "care:track_link": Entry(
        kwargs=lambda w: {"council": w.council.slug, "token": track_token(w.other_request)}
    ),
    **{
        f"care:{name}": Entry(
            kwargs=lambda w: {
                "council": w.council.slug,
                "token": booking_token(w.other_booking, LinkPurpose.MANAGE),
            }
        )
        for name in ("appointment_confirm", "appointment_detail", "appointment_cancel")
    },
    # The API authenticates systems by token, not by session: every session here is refused.
    "api_referral_detail": Entry(kwargs=lambda w: {"pk": w.other_referral.pk}),
}
