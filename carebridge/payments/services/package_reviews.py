"""The action that asks the council's operational team for a package review, once a client's
non-engagement has run for three consecutive weeks (actuals records the PackageReview and sends
actuals.signals.package_review_due; actuals cannot raise actions, its sibling). The provider's
user whose save completed the run raises it, as Bradford asks providers to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from carebridge.actions import services as actions
from carebridge.actions.choices import RelatedKind
from carebridge.actions.models import ActionType
from carebridge.actuals.models import PackageReview
from carebridge.audit.services import record
from carebridge.core.calendar import add_working_days, today
from carebridge.core.formats import guide_date
from carebridge.organisations.choices import TeamKind
from carebridge.organisations.models import Council, Team

if TYPE_CHECKING:
    from carebridge.accounts.models import User

# The council's action type for these, found by name in its catalogue or added to it (with the
# operational team as its team) the first time it is needed, as for variation requests. A
# council that makes it inactive takes no package reviews in the portal.
PACKAGE_REVIEW_ACTION_TYPE = "Package Review"
# The operational team: the district (locality) team that holds the client's package.
OPERATIONAL_TEAM = TeamKind.DISTRICT
# How long the operational team has to answer, in working days (the guides name no deadline).
RESPOND_WITHIN_DAYS = 10


def _operational_route(council: Council) -> tuple[ActionType, Team] | None:
    """The action type and the operational team a package review goes to; None where the
    council has no operational team in the portal or has switched the type off."""
    team = (
        Team.objects.filter(council=council, kind=OPERATIONAL_TEAM, internal_only=False)
        .order_by("pk")
        .first()
    )
    if team is None:
        return None
    found = ActionType.objects.filter(council=council, name=PACKAGE_REVIEW_ACTION_TYPE).first()
    if found is None:
        try:
            with transaction.atomic():
                # The portal's own addition to the catalogue, made by no one.
                found = actions.action_type_create(
                    council=council, name=PACKAGE_REVIEW_ACTION_TYPE, default_team=team
                )
        except (IntegrityError, ValidationError):
            # Added by another request a moment ago.
            found = ActionType.objects.get(council=council, name=PACKAGE_REVIEW_ACTION_TYPE)
    return (found, team) if found.is_active else None


def _text(review: PackageReview) -> str:
    person = review.service_user
    weeks = (review.last_week - review.first_week) // timedelta(days=7) + 1
    return (
        f"{review.provider.name} asks for a package review for {person.full_name} (SS Ref "
        f"{person.ss_ref}): the person has not engaged with the planned support, or cancelled "
        f"it at short notice, for {weeks} consecutive weeks, from the week beginning "
        f"{guide_date(review.first_week)} to the week beginning {guide_date(review.last_week)}. "
        "The missed hours and the comments are on the actuals of those weeks."
    )


def package_reviews_raise(*, by: User, review_ids: Sequence[int]) -> list[int]:
    """Raise each review's action with its council's operational team, inside the save's
    transaction, and keep the action on the review; a council without an operational team (or
    that has switched the type off) gets none, and the review says so by having no action."""
    raised = []
    reviews = PackageReview.objects.filter(pk__in=review_ids, action_id__isnull=True)
    for review in reviews.select_related("council", "provider", "service_user"):
        route = _operational_route(review.council)
        if route is None:
            record(
                action="actuals.package_review_unrouted",
                by=by,
                obj=review,
                council=review.council_id,
                provider=review.provider_id,
            )
            continue
        action_type, team = route
        action = actions.action_create(
            by=by,
            new=actions.NewAction(
                council=review.council,
                provider=review.provider,
                action_type=action_type,
                related_kind=RelatedKind.CLIENT,
                related_id=review.service_user_id,
                due_date=add_working_days(today(), RESPOND_WITHIN_DAYS),
                team=team,
                title=f"Package review for {review.service_user.full_name}"[:200],
                text=_text(review),
            ),
        )
        PackageReview.objects.filter(pk=review.pk).update(action_id=action.pk)
        raised.append(action.pk)
    return raised
