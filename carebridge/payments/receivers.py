"""What payments does when a layer below it tells it something (actuals.signals)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from carebridge.payments.services import (
    invoices_follow_actuals,
    package_reviews_raise,
    payment_exceptions_follow_actuals,
    payment_exceptions_follow_cpli_dates,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from carebridge.accounts.models import User
    from carebridge.contracts.models import Cpli


def actuals_amended_follow(
    sender: Any,
    *,
    actual_ids: Sequence[int],
    by: User,
    provider_id: int | None = None,
    **_signal: Any,
) -> None:
    """An amended invoiced week's invoice follows it: a line changed in place, a credit note
    or a supplementary invoice, inside the actuals' save or re-plan. Connected in ready()."""
    invoices_follow_actuals(by=by, actual_ids=actual_ids, provider_id=provider_id)
    # A self-billed week a payment run has paid: the next run pays (or recovers) the change.
    payment_exceptions_follow_actuals(by=by, actual_ids=actual_ids)


def cpli_dates_changed_follow(
    sender: Any, *, cplis: Sequence[Cpli], by: User, **_signal: Any
) -> None:
    """A scheduled line's dates moved after a run paid its block: the next run pays (or
    recovers) the difference, inside the termination's transaction. Connected in ready()."""
    payment_exceptions_follow_cpli_dates(by=by, cplis=cplis)


def package_review_due_raise(
    sender: Any, *, review_ids: Sequence[int], by: User, **_signal: Any
) -> None:
    """A client's third week running of non-engagement: the package review's action goes to the
    council's operational team, inside the actuals' save. Connected in ready()."""
    package_reviews_raise(by=by, review_ids=review_ids)
