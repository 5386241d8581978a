"""The demo's actions: each council's catalogue of action types with their teams (a safeguarding
team and an internal-only one among them), council staff in their teams, and a few threads in
every state: a payment query answered, a new care plan sent with its PDF and closure
requested, a telephone call closed, a safeguarding concern. Everything through the services."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from carebridge.accounts.models import User
from carebridge.actions import services as actions
from carebridge.actions.choices import PostKind, RelatedKind
from carebridge.actions.models import Action, ActionType
from carebridge.contracts.models import Cpli
from carebridge.core.calendar import today
from carebridge.core.permissions import Role
from carebridge.demo.common import Tally, _login
from carebridge.organisations import services as organisations
from carebridge.organisations.choices import TeamKind
from carebridge.organisations.models import Council, Provider, Team

# Teams the actions need beyond the usual ones: (name, kind, internal only).
EXTRA_TEAMS = (
    ("Social care charging", TeamKind.CHARGING, False),
    ("Safeguarding", TeamKind.SAFEGUARDING, False),
    ("Information messaging - internal use only", TeamKind.SYSTEMS, True),
)

# The type residential and nursing providers send their signed contracts with (Stockport's
# guide, appendix 1): the contract document page offers it to them.
SIGNED_CONTRACT = "Signed Residential/Nursing Contract"

# The catalogue: (type, the kind of its team or None for "chosen on creation", safeguarding).
CATALOGUE: tuple[tuple[str, TeamKind | None, bool], ...] = (
    ("New Care Plan - Community Support", TeamKind.BROKERAGE, False),
    ("Amended Care Plan", TeamKind.BROKERAGE, False),
    (SIGNED_CONTRACT, TeamKind.BROKERAGE, False),
    ("Actuals Query", TeamKind.PAYMENTS, False),
    ("Payment Query", TeamKind.PAYMENTS, False),
    ("Client Contribution", TeamKind.CHARGING, False),
    ("Death Notification", None, False),
    ("Respite Stay", None, False),
    ("Information", None, False),
    ("Query", None, False),
    ("Telephone Call", None, False),
    ("Other", None, False),
    ("Safeguarding concern", TeamKind.SAFEGUARDING, True),
)

# Which council role works in which team.
ROLE_TEAMS = {Role.BROKER: TeamKind.BROKERAGE, Role.PAYMENTS_OFFICER: TeamKind.PAYMENTS}

# A one-page PDF, as a care plan attachment.
CARE_PLAN_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _team(council: Council, kind: str) -> Team | None:
    return Team.objects.filter(council=council, kind=kind, internal_only=False).first()


def _catalogue(tally: Tally, council: Council) -> dict[str, ActionType]:
    for name, kind, internal in EXTRA_TEAMS:
        if Team.objects.filter(council=council, name=name).exists():
            tally.found("teams")
            continue
        organisations.team_create(
            council=council,
            name=name,
            kind=kind,
            internal_only=internal,
            email=f"{kind.replace('_', '')}@{council.slug}.example",
        )
        tally.made("teams")
    types = {t.name: t for t in ActionType.objects.filter(council=council)}
    for name, team_kind, safeguarding in CATALOGUE:
        if name in types:
            tally.found("action types")
            continue
        types[name] = actions.action_type_create(
            council=council,
            name=name,
            default_team=_team(council, team_kind) if team_kind else None,
            is_safeguarding=safeguarding,
            is_signed_contract=name == SIGNED_CONTRACT,
        )
        tally.made("action types")
    for role, kind in ROLE_TEAMS.items():
        for user in User.objects.filter(council=council, role=role, team__isnull=True):
            organisations.team_member_set(user=user, team=_team(council, kind))
    # A safeguarding officer: the only council log-in that reads safeguarding concerns.
    email = f"safeguarding@{council.slug}.example"
    _login(
        tally,
        email=email,
        first_name="Sam",
        last_name="Okafor",
        role=Role.FRONT_DOOR_OFFICER,
        council=council,
    )
    officer = User.objects.get(email=email)
    if officer.team_id is None:
        organisations.team_member_set(user=officer, team=_team(council, TeamKind.SAFEGUARDING))
    return types


def _first_user(provider: Provider) -> User | None:
    return (
        User.objects.filter(
            provider=provider,
            role__in=(Role.SUPER_USER_ACTUALS, Role.SUPER_USER_SCHEDULED),
            is_active=True,
        )
        .order_by("role", "pk")
        .first()
    )


def demo_actions(tally: Tally, councils: Sequence[Council]) -> None:
    for council in councils:
        types = _catalogue(tally, council)
        if Action.objects.filter(council=council).exists():
            tally.found("actions")
            continue
        broker = User.objects.filter(council=council, role=Role.BROKER).first()
        payments = User.objects.filter(council=council, role=Role.PAYMENTS_OFFICER).first()
        soon = today() + timedelta(days=5)
        for provider in Provider.objects.filter(contracts__council=council).distinct():
            carer = _first_user(provider)
            cpli = (
                Cpli.objects.filter(council=council, provider=provider)
                .select_related("service_user", "service")
                .first()
            )
            if carer is None or cpli is None or broker is None or payments is None:
                continue
            # A payment query about a client, answered by the payments team.
            query = actions.action_create(
                by=carer,
                new=actions.NewAction(
                    council=council,
                    provider=provider,
                    action_type=types["Payment Query"],
                    related_kind=RelatedKind.CLIENT,
                    related_id=cpli.service_user_id,
                    due_date=soon,
                    team=None,
                    title="Payment query",
                    text="We have not received payment for the visits of the week before last.",
                ),
            )
            actions.action_post(
                by=payments,
                action=query,
                kind=PostKind.REPLY,
                text="Please amend the actual for that week and you will be paid in the next "
                "payment run.",
            )
            # A new care plan sent by the brokerage team, with its PDF; the provider asks to close.
            plan = actions.action_create(
                by=broker,
                new=actions.NewAction(
                    council=council,
                    provider=provider,
                    action_type=types["New Care Plan - Community Support"],
                    related_kind=RelatedKind.SERVICE,
                    related_id=cpli.service_id,
                    due_date=soon,
                    team=None,
                    title="Support plan and schedule",
                    text="Please find attached the support plan and schedule.",
                ),
                files=[
                    SimpleUploadedFile(
                        "support-plan.pdf", CARE_PLAN_PDF, content_type="application/pdf"
                    )
                ],
            )
            actions.action_post(
                by=carer,
                action=plan,
                kind=PostKind.CLOSURE_REQUESTED,
                text="Received with thanks: the first visit is booked.",
                team=_team(council, TeamKind.BROKERAGE),
            )
            # A telephone call recorded and closed; it is found with "open actions only" off.
            call = actions.action_create(
                by=carer,
                new=actions.NewAction(
                    council=council,
                    provider=provider,
                    action_type=types["Telephone Call"],
                    related_kind=RelatedKind.CPLI,
                    related_id=cpli.pk,
                    due_date=soon,
                    team=_team(council, TeamKind.BROKERAGE),
                    title="Call about a change of visit times",
                    text="The family asked for the lunchtime call to move to 1pm.",
                ),
            )
            actions.action_post(by=broker, action=call, kind=PostKind.CLOSED, text="Agreed.")
            tally.made("actions", 3)
            if not Action.objects.filter(council=council, is_safeguarding=True).exists():
                # A concern: urgent, with the safeguarding team only (and the provider).
                actions.action_create(
                    by=carer,
                    new=actions.NewAction(
                        council=council,
                        provider=provider,
                        action_type=types["Safeguarding concern"],
                        related_kind=RelatedKind.CLIENT,
                        related_id=cpli.service_user_id,
                        due_date=today() + timedelta(days=1),
                        team=None,
                        title="Unexplained bruising noticed at the morning call",
                        text="Our carer noticed bruising on the client's forearm this morning; "
                        "the client would not say how it happened. Photographs were not taken.",
                    ),
                )
                tally.made("actions")
