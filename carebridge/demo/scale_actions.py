"""The benchmark's actions: the scale council's catalogue of action types with its teams, the
broker persona in the brokerage team, and threads between the council and its providers,
bulk-loaded like its referrals and contracts, so the actions inbox (the provider's and the
council team's) and an action's page are measured at a county's size."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from carebridge.accounts.models import User
from carebridge.actions.choices import ActionStatus, PostKind, RelatedKind
from carebridge.actions.models import Action, Post
from carebridge.contracts.models import Cpli
from carebridge.core.calendar import now, to_london
from carebridge.demo.actions_demo import _catalogue, _team
from carebridge.demo.common import PersonMaker, Tally
from carebridge.demo.scale_council import provider_answerers
from carebridge.demo.scale_rows import SCALE_BATCH
from carebridge.organisations import services as organisations
from carebridge.organisations.choices import TeamKind
from carebridge.organisations.models import Council, Provider, Team

# The share of actions between the council and the provider persona's provider.
PERSONA_SHARE = 0.25
# How a county's actions stand: most closed, the rest open (some of them overdue).
CLOSED_SHARE = 0.7
# Who raises an open action: mostly the provider.
PROVIDER_RAISES = 0.7
# What an action is about, for a provider with CPLIs (one without is about the provider).
_ABOUT = (
    (RelatedKind.CLIENT,) * 4
    + (RelatedKind.CPLI,) * 3
    + (RelatedKind.CONTRACT_DOCUMENT,) * 2
    + (RelatedKind.PROVIDER,)
)
# The teams a provider may choose for a type without one of its own (never safeguarding: what a
# provider sends that team is a concern, which the bench leaves out; never internal-only ones).
_CHOSEN_TEAMS = (TeamKind.BROKERAGE, TeamKind.BROKERAGE, TeamKind.PAYMENTS, TeamKind.CHARGING)

_TITLES = {
    RelatedKind.CLIENT: ("Change of visit times", "Hospital admission", "Missed visit", "Query"),
    RelatedKind.CPLI: ("Hours do not match the care plan", "Rate query", "Extra call needed"),
    RelatedKind.CONTRACT_DOCUMENT: ("Start date on the order", "Order not received in full"),
    RelatedKind.PROVIDER: ("Bank details changed", "New registered manager", "Capacity update"),
}
_RAISED = (
    "Please could you look into this for us: the details are on the care plan.",
    "The family have been in touch and asked us to raise this with you.",
    "Following our telephone call this morning, as agreed.",
)
_REPLIES = {
    "council": (
        "Thank you: we have checked the package and amended it. Please confirm.",
        "We need a little more detail: which weeks does this concern?",
        "This has been passed to the social worker, who will be in touch.",
    ),
    "provider": (
        "Thank you. The weeks are those of the last period.",
        "Confirmed: the visits now match the plan.",
        "We have spoken to the family, who are happy with this.",
    ),
}
_CLOSURE_REQUEST = "Resolved on our side: please close."
_CLOSED = ("Resolved.", "Closed: no further action needed.", "")


@dataclass(frozen=True)
class _Side:
    """Who writes a provider's or the council's posts, and under what organisation name."""

    user: User
    organisation: str


# A provider's CPLIs, each as (CPLI, its service user, its contract document): what its actions
# may be about.
_Lines = list[tuple[int, int, int | None]]


def scale_actions(
    tally: Tally,
    council: Council,
    providers: list[Provider],
    *,
    actions: int,
    persona: User,
    broker: User,
    admin: User,
    maker: PersonMaker,
) -> dict[str, int]:
    """Top the council's actions up to `actions`, each with one to six posts.

    The catalogue and its teams are the demo's (`actions_demo._catalogue`, through the
    services), with the broker persona in the brokerage team. The threads are bulk-loaded: the
    services raise one action at a time, with its audit event and e-mails, far too slow for
    thousands. The rows are the ones `action_create` and `action_post` write: the first post
    "created" (carrying the due date), replies handing the action to the other side (the
    provider's to the council team, the council's to the provider), a closure request from the
    provider, and the council's closure as the last post of a closed action (stamping
    closed_at and closed_by); last_post_at is the last post's moment. No safeguarding
    concerns, no attachments, no audit events and no notifications, since nobody did any of
    this.
    """
    if actions <= 0:
        return {"actions": 0, "posts": 0}
    types = [t for t in _catalogue(tally, council).values() if not t.is_safeguarding]
    brokerage = _team(council, TeamKind.BROKERAGE)
    assert brokerage is not None
    broker.refresh_from_db(fields=["team"])  # _catalogue puts a broker without a team in it
    if broker.team_id != brokerage.pk:
        organisations.team_member_set(user=broker, team=brokerage)
        tally.made("team members")
    scoped = Action.objects.filter(council=council)
    have = scoped.count()
    tally.found("actions", have)
    wanted = max(actions - have, 0)
    if not wanted:
        return {"actions": have, "posts": Post.objects.filter(action__council=council).count()}

    assert persona.provider is not None
    council_sides = {
        team.pk: _Side(broker if team.pk == brokerage.pk else admin, council.name)
        for team in Team.objects.filter(council=council)
    }
    provider_sides = {
        provider_id: _Side(actor.user, _provider_name(providers, provider_id))
        for provider_id, actor in provider_answerers(tally, providers, persona, maker).items()
    }
    chosen_teams = [team for kind in _CHOSEN_TEAMS if (team := _team(council, kind)) is not None]
    lines: dict[int, _Lines] = {provider.pk: [] for provider in providers}
    for provider_id, cpli, service_user, document in (
        Cpli.objects.filter(council=council, provider__in=providers)
        .order_by("pk")
        .values_list("provider_id", "pk", "service_user_id", "document_id")
    ):
        lines[provider_id].append((cpli, service_user, document))
    others = [p for p in providers if p.pk != persona.provider_id] or [persona.provider]

    rng = random.Random(60000 + have)
    moment = now()
    made: Counter[str] = Counter()
    batch: list[tuple[Action, list[Post]]] = []
    for _ in range(wanted):
        provider = persona.provider if rng.random() < PERSONA_SHARE else rng.choice(others)
        closed = rng.random() < CLOSED_SHARE
        action_type = rng.choice(types)
        team = action_type.default_team or rng.choice(chosen_teams)
        action, posts = _thread(
            rng,
            moment,
            action=Action(council=council, provider=provider, action_type=action_type),
            team=team,
            provider_side=provider_sides[provider.pk],
            council_side=council_sides[team.pk],
            lines=lines[provider.pk],
            closed=closed,
        )
        made["closed" if closed else "overdue" if _overdue(action, moment) else "open"] += 1
        batch.append((action, posts))
        if len(batch) == SCALE_BATCH:
            made["posts written"] += _flush(batch)
    made["posts written"] += _flush(batch)
    tally.made("actions", wanted)
    tally.made("action posts", made.pop("posts written"))
    return {
        "actions": have + wanted,
        "posts": Post.objects.filter(action__council=council).count(),
        **made,
    }


def _provider_name(providers: list[Provider], provider_id: int) -> str:
    return next(p.name for p in providers if p.pk == provider_id)


def _overdue(action: Action, moment: datetime) -> bool:
    return (
        action.status == ActionStatus.OPEN
        and action.due_date is not None
        and action.due_date < to_london(moment).date()
    )


def _relate(rng: random.Random, action: Action, lines: _Lines) -> None:
    """Set what the action is about: one of its provider's own things, as related_choices
    offers them (a client with a CPLI of the provider, its CPLI, its document)."""
    kind = rng.choice(_ABOUT) if lines else RelatedKind.PROVIDER
    cpli, service_user, document = rng.choice(lines) if lines else (0, 0, None)
    if kind == RelatedKind.CONTRACT_DOCUMENT and document is None:
        kind = RelatedKind.CPLI
    action.related_kind = kind
    if kind == RelatedKind.CLIENT:
        action.service_user_id = service_user
    elif kind == RelatedKind.CPLI:
        action.cpli_id = cpli
    elif kind == RelatedKind.CONTRACT_DOCUMENT:
        action.contract_document_id = document
    action.title = rng.choice(_TITLES[RelatedKind(kind)])


def _thread(
    rng: random.Random,
    moment: datetime,
    *,
    action: Action,
    team: Team,
    provider_side: _Side,
    council_side: _Side,
    lines: _Lines,
    closed: bool,
) -> tuple[Action, list[Post]]:
    """An action and its posts, back and forth between the two sides.

    A closed thread ends with the council's closure, so its sides alternate back from there;
    an open one starts with whoever raised it. `team` is the council team the provider's
    posts hand the action to: the type's own, or the one the provider chose.
    """
    count = rng.randint(2 if closed else 1, 6)
    if closed:
        sides = ["council" if (count - 1 - n) % 2 == 0 else "provider" for n in range(count)]
        created_at = moment - timedelta(days=rng.randint(2, 120), minutes=rng.randint(0, 1439))
        # Closed within a month of being raised, and before now.
        last = min(moment, created_at + timedelta(days=rng.randint(1, 30)))
    else:
        first = "provider" if rng.random() < PROVIDER_RAISES else "council"
        second = "council" if first == "provider" else "provider"
        sides = [first if n % 2 == 0 else second for n in range(count)]
        created_at = moment - timedelta(days=rng.randint(0, 30), minutes=rng.randint(0, 1439))
        last = moment
    times = sorted(created_at + (last - created_at) * rng.random() for _ in range(count - 1))
    today = to_london(moment).date()
    raised_on = to_london(created_at).date()
    # The due date was today or later when the action was raised; open ones run from a few
    # days overdue to three weeks ahead, closed ones were due within four weeks of raising.
    if closed:
        due = raised_on + timedelta(days=rng.randint(3, 28))
    else:
        due = max(raised_on, today + timedelta(days=rng.randint(-10, 21)))
    _relate(rng, action, lines)
    by = {"provider": provider_side, "council": council_side}
    action.due_date = due
    action.urgent = action.is_safeguarding = False
    action.created_by = by[sides[0]].user
    action.created_at = created_at
    # The services hand a provider's action to the council team, a council's to the provider.
    assigned: Team | None = team if sides[0] == "provider" else None
    posts = [
        Post(
            action=action,
            kind=PostKind.CREATED,
            author=by[sides[0]].user,
            organisation=by[sides[0]].organisation,
            text=rng.choice(_RAISED),
            assigned_to=_side_label(assigned, action),
            due_date=due,
            created_at=created_at,
        )
    ]
    for number, (side, at) in enumerate(zip(sides[1:], times, strict=True), start=1):
        kind: PostKind = PostKind.REPLY
        text = rng.choice(_REPLIES[side])
        if closed and number == count - 1:
            kind, text = PostKind.CLOSED, rng.choice(_CLOSED)
        elif closed and number == count - 2 and rng.random() < 0.5:
            kind, text = PostKind.CLOSURE_REQUESTED, _CLOSURE_REQUEST
        elif rng.random() < 0.15:
            kind = PostKind.COMMENT
        if kind in (PostKind.REPLY, PostKind.CLOSURE_REQUESTED):
            assigned = team if side == "provider" else None
        posts.append(
            Post(
                action=action,
                kind=kind,
                author=by[side].user,
                organisation=by[side].organisation,
                text=text,
                assigned_to="" if kind == PostKind.CLOSED else _side_label(assigned, action),
                created_at=at,
            )
        )
    action.assigned_team = assigned
    action.last_post_at = posts[-1].created_at
    if closed:
        action.status = ActionStatus.CLOSED
        action.closed_at = posts[-1].created_at
        action.closed_by = council_side.user
    else:
        action.status = ActionStatus.OPEN
    return action, posts


def _side_label(team: Team | None, action: Action) -> str:
    """As actions.services._side_label writes it: the team, or the provider."""
    return team.name if team is not None else action.provider.name


def _flush(batch: list[tuple[Action, list[Post]]]) -> int:
    """Write the batch's actions, then their posts; the number of posts."""
    posts: list[Post] = []
    if batch:
        Action.objects.bulk_create([action for action, _posts in batch])
        for action, thread in batch:
            assert action.pk is not None  # bulk_create gives the ids back (RETURNING)
            for post in thread:
                post.action = action
                posts.append(post)
        Post.objects.bulk_create(posts)
    batch.clear()
    return len(posts)
