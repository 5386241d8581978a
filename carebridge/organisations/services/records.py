"""Writes of the organisations' own records: councils, their rulebooks and payment rules, teams
and districts, providers, services and contracts."""

from collections.abc import Mapping
from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction

from carebridge.audit.services import record, snapshot
from carebridge.organisations.choices import MissedReason
from carebridge.organisations.models import (
    Contract,
    Council,
    District,
    PaymentRule,
    Provider,
    Rulebook,
    Service,
    Team,
)
from carebridge.people.validators import normalise_postcode, validate_postcode

M = TypeVar("M", bound=models.Model)


def _postcode(fields: dict[str, Any]) -> dict[str, Any]:
    if fields.get("postcode"):
        validate_postcode(fields["postcode"])
        fields["postcode"] = normalise_postcode(fields["postcode"])
    return fields


def _save_recorded(
    instance: M,
    *,
    action: str,
    by: Any,
    before: dict[str, Any] | None = None,
    logged_after: bool = True,
    **owner: Any,
) -> M:
    """Check and save a record, and log the action with what it was (`before`) and now is;
    `owner` names its council or provider for the log."""
    instance.full_clean()
    instance.save()
    after = snapshot(instance) if logged_after else None
    record(action=action, by=by, obj=instance, before=before, after=after, **owner)
    return instance


@transaction.atomic
def council_create(
    *, name: str, slug: str, by: Any = None, rulebook: dict[str, Any] | None = None, **fields: Any
) -> Council:
    """A council and its rulebook; settings not given take the product's defaults."""
    council = Council(name=name, slug=slug, **fields)
    council.full_clean()
    council.save()
    book = Rulebook(council=council, **(rulebook or {}))
    book.full_clean()
    book.save()
    record(action="council.created", by=by, obj=council, council=council, after=snapshot(council))
    return council


@transaction.atomic
def rulebook_update(*, council: Council, by: Any, **settings: Any) -> Rulebook:
    book = council.rulebook
    before = snapshot(book)
    for name, value in settings.items():
        setattr(book, name, value)
    return _save_recorded(book, action="rulebook.updated", by=by, before=before, council=council)


@transaction.atomic
def payment_rule_set(
    *,
    council: Council,
    contract_type: str,
    by: Any,
    aborted_visit_max_minutes: int | None,
    aborted_visit_paid_percent: int,
    night_cancellation_paid_percent: int,
    payment_method: str | None = None,
    one_off_claims_allowed: bool | None = None,
    missed_paid_percents: Mapping[str, int] | None = None,
) -> PaymentRule:
    """How the council pays frustrated and missed quantities under one type of contract: the
    rule is made the first time and changed after that (one per council and contract type).
    `missed_paid_percents` maps a MissedReason to the share of it paid; a reason not named keeps
    its percentage."""
    rule = PaymentRule.objects.filter(council=council, contract_type=contract_type).first()
    made = rule is None
    if rule is None:
        rule = PaymentRule(council=council, contract_type=contract_type)
    before = None if made else snapshot(rule)
    rule.aborted_visit_max_minutes = aborted_visit_max_minutes
    rule.aborted_visit_paid_percent = aborted_visit_paid_percent
    rule.night_cancellation_paid_percent = night_cancellation_paid_percent
    # Not given: the method and the claims flag stay as they are (the defaults on a new rule).
    if payment_method is not None:
        rule.payment_method = payment_method
    if one_off_claims_allowed is not None:
        rule.one_off_claims_allowed = one_off_claims_allowed
    for reason, percent in (missed_paid_percents or {}).items():
        setattr(rule, f"missed_{MissedReason(reason).value}_paid_percent", percent)
    return _save_recorded(
        rule,
        action="payment_rule.created" if made else "payment_rule.updated",
        by=by,
        before=before,
        council=council,
    )


@transaction.atomic
def team_create(
    *,
    council: Council,
    name: str,
    kind: str,
    by: Any = None,
    email: str = "",
    internal_only: bool = False,
) -> Team:
    team = Team(council=council, name=name, kind=kind, email=email, internal_only=internal_only)
    return _save_recorded(team, action="team.created", by=by, logged_after=False, council=council)


@transaction.atomic
def team_member_set(*, user: Any, team: Team | None, by: Any = None) -> None:
    """Put a council user in one of the council's teams (or none): they share its actions."""
    if team is not None and team.council_id != user.council_id:
        raise ValidationError({"team": "Choose one of the council's own teams"})
    before = user.team_id
    type(user).objects.filter(pk=user.pk).update(team=team)
    user.team = team
    record(
        action="user.team_changed",
        by=by,
        obj=user,
        council=user.council_id,
        before={"team": before},
        after={"team": team.pk if team else None},
    )


@transaction.atomic
def district_create(
    *, council: Council, name: str, postcode_districts: str = "", by: Any = None
) -> District:
    district = District(
        council=council, name=name, postcode_districts=" ".join(postcode_districts.upper().split())
    )
    return _save_recorded(
        district, action="district.created", by=by, logged_after=False, council=council
    )


@transaction.atomic
def provider_create(*, name: str, by: Any = None, **fields: Any) -> Provider:
    provider = Provider(name=name, **_postcode(fields))
    return _save_recorded(provider, action="provider.created", by=by, provider=provider)


@transaction.atomic
def service_create(*, provider: Provider, name: str, by: Any = None, **fields: Any) -> Service:
    service = Service(provider=provider, name=name, **_postcode(fields))
    return _save_recorded(service, action="service.created", by=by, provider=provider)


def _update(
    instance: Provider | Service, fields: dict[str, Any], *, action: str, by: Any, **owner: Any
) -> None:
    """Change the given details of a provider or service, and log them before and after."""
    before = snapshot(instance, list(fields))
    for name, value in _postcode(dict(fields)).items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save(update_fields=list(fields))
    after = snapshot(instance, list(fields))
    record(action=action, by=by, obj=instance, before=before, after=after, **owner)


@transaction.atomic
def provider_update(*, provider: Provider, by: Any, **fields: Any) -> Provider:
    """Change a provider's organisation details (the council does, approving a change request)."""
    provider = Provider.objects.get(pk=provider.pk)
    _update(provider, fields, action="provider.updated", by=by, provider=provider)
    return provider


@transaction.atomic
def service_update(*, service: Service, by: Any, **fields: Any) -> Service:
    """Change a service's details (the council does, approving a change request)."""
    service = Service.objects.get(pk=service.pk)
    _update(service, fields, action="service.updated", by=by, provider=service.provider_id)
    return service


@transaction.atomic
def contract_create(
    *,
    council: Council,
    provider: Provider,
    reference: str,
    contract_type: str,
    start_date: date,
    end_date: date | None = None,
    by: Any = None,
    supplier_reference: str = "",
) -> Contract:
    contract = Contract(
        council=council,
        provider=provider,
        reference=reference,
        contract_type=contract_type,
        start_date=start_date,
        end_date=end_date,
        supplier_reference=supplier_reference,
    )
    return _save_recorded(
        contract, action="contract.created", by=by, council=council, provider=provider
    )
