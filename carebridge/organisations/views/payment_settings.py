"""The council's payment settings: each contract type's payment rule, the rulebook's scheduled
payments and each contract's supplier reference, which its administrators change (its brokers may
look). Each change is one call of
organisations.services.payment_settings, audited there with what it was and now is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from carebridge.core.http import acting_user
from carebridge.core.lists import page_of
from carebridge.organisations.choices import ContractType
from carebridge.organisations.forms_payment_settings import (
    PaymentRuleForm,
    ProviderKindForm,
    ScheduledPaymentsForm,
    SupplierReferenceForm,
)
from carebridge.organisations.models import Contract, Council, PaymentRule, Rulebook
from carebridge.organisations.provider_kinds import ProviderCouncil, ProviderKind
from carebridge.organisations.services import payment_settings as services
from carebridge.organisations.services.provider_kinds import provider_kind_set

if TYPE_CHECKING:
    from carebridge.accounts.models import User


def _council(request: HttpRequest, *, change: bool = False) -> tuple[User, Council]:
    """The acting council user and their council: one who may look (or, to change, one of its
    administrators). A provider's user has no council settings."""
    user = acting_user(request)
    council = user.council
    if council is None:
        raise PermissionDenied
    allowed = (
        services.may_change_payment_settings(user, council.pk)
        if change
        else services.may_view_payment_settings(user, council.pk)
    )
    if not allowed:
        raise PermissionDenied
    return user, council


def _contract_type(request: HttpRequest) -> ContractType:
    """The contract type the address names (?type=spot): a setting of the acting user's own
    council, so the address carries no object of any organisation."""
    value = request.GET.get("type", "")
    if value not in ContractType.values:
        raise Http404("No such contract type")
    return ContractType(value)


@require_GET
def payment_settings(request: HttpRequest) -> HttpResponse:
    """Every contract type's rule (the defaults where the council has saved none), the scheduled
    payments and the council's contracts with their supplier references, a page at a time (a
    county has a contract per provider, 1,200 of them): the same queries whatever it keeps."""
    user, council = _council(request)
    saved = {rule.contract_type: rule for rule in PaymentRule.objects.filter(council=council)}
    rules = [
        saved.get(kind) or PaymentRule(council=council, contract_type=kind)
        for kind in ContractType.values
    ]
    book = Rulebook.objects.get(council=council)
    # In the finance export's order: by provider, then contract.
    contracts = (
        Contract.objects.filter(council=council)
        .select_related("provider")
        .annotate(provider_kind=_provider_kind())
        .order_by("provider__name", "reference", "pk")
    )
    return render(
        request,
        "organisations/payment_settings.html",
        {
            "council": council,
            "rules": rules,
            "rulebook": book,
            "arrears": book.scheduled_payment_weeks - book.scheduled_weeks_in_advance,
            "can_change": services.may_change_payment_settings(user, council.pk),
            "contracts": page_of(request, contracts),
        },
    )


@require_http_methods(["GET", "POST"])
def payment_rule_edit(request: HttpRequest) -> HttpResponse:
    user, council = _council(request, change=True)
    kind = _contract_type(request)
    rule = services.payment_rule_of(council, kind)
    if request.method == "POST":
        form = PaymentRuleForm(request.POST)
        if form.is_valid():
            try:
                services.payment_rule_update(
                    by=user, council=council, contract_type=kind, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_errors(error)
            except services.PaymentSettingsRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, f"The payment rule for {kind.label} contracts is saved.")
                return redirect("organisations:payment_settings")
    else:
        form = PaymentRuleForm(initial=PaymentRuleForm.initial_of(rule))
    return render(
        request,
        "organisations/payment_rule_edit.html",
        {"council": council, "form": form, "kind": kind},
    )


@require_http_methods(["GET", "POST"])
def scheduled_payments_edit(request: HttpRequest) -> HttpResponse:
    user, council = _council(request, change=True)
    book = Rulebook.objects.get(council=council)
    if request.method == "POST":
        form = ScheduledPaymentsForm(request.POST)
        if form.is_valid():
            try:
                services.scheduled_payments_update(by=user, council=council, **form.cleaned_data)
            except ValidationError as error:
                form.add_errors(error)
            except services.PaymentSettingsRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, "The scheduled payments are saved.")
                return redirect("organisations:payment_settings")
    else:
        form = ScheduledPaymentsForm(
            initial={name: getattr(book, name) for name in services.SCHEDULE_FIELDS}
        )
    return render(
        request,
        "organisations/scheduled_payments_edit.html",
        {"council": council, "form": form, "lock": services.schedule_lock(council.pk)},
    )


def _provider_kind() -> Coalesce:
    """What the council buys from the contract's provider, read in the contracts' own query:
    home care where the council has said nothing."""
    said = ProviderCouncil.objects.filter(
        council_id=OuterRef("council_id"), provider_id=OuterRef("provider_id")
    ).values("kind")[:1]
    return Coalesce(Subquery(said), Value(ProviderKind.HOME_CARE.value))


def _list_page(request: HttpRequest) -> str:
    """The page of the contracts list the Change link came from (?page=3), to go back to it; any
    other value is no page."""
    page = request.GET.get("page", "")
    return page if page.isdigit() and len(page) < 6 else ""


def _back_to_contracts(page: str) -> str:
    query = f"?page={page}" if page else ""
    return f"{reverse('organisations:payment_settings')}{query}#supplier-references"


@require_http_methods(["GET", "POST"])
def contract_supplier_reference_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """One contract's supplier reference. A contract of another council is not found; a user who
    may not change the settings is refused before any contract is looked for."""
    user, council = _council(request, change=True)
    contract = Contract.objects.filter(council=council, pk=pk).select_related("provider").first()
    if contract is None:
        raise Http404("No such contract")
    back = _back_to_contracts(_list_page(request))
    if request.method == "POST":
        form = SupplierReferenceForm(request.POST)
        if form.is_valid():
            try:
                services.contract_supplier_reference_set(
                    by=user, contract=contract, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_errors(error)
            except services.PaymentSettingsRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(
                    request,
                    f"The supplier reference of {contract.provider.name}'s contract "
                    f"{contract.reference} is saved.",
                )
                return redirect(back)
    else:
        form = SupplierReferenceForm(initial={"supplier_reference": contract.supplier_reference})
    return render(
        request,
        "organisations/supplier_reference_edit.html",
        {"council": council, "form": form, "contract": contract, "back": back},
    )


@require_http_methods(["GET", "POST"])
def contract_provider_kind_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """What the council buys from a contract's provider: home care (paid on actuals), or
    residential or nursing care (paid on the placement: no Actuals or Disputes for this council,
    and the signed-contract step on each agreed order). One for the council and provider,
    whichever of its contracts the link came from; another council's contract is not found."""
    user, council = _council(request, change=True)
    contract = Contract.objects.filter(council=council, pk=pk).select_related("provider").first()
    if contract is None:
        raise Http404("No such contract")
    provider = contract.provider
    said = ProviderCouncil.objects.filter(council=council, provider=provider).first()
    back = _back_to_contracts(_list_page(request))
    if request.method == "POST":
        form = ProviderKindForm(request.POST)
        if form.is_valid():
            try:
                provider_kind_set(
                    council=council, provider=provider, kind=form.cleaned_data["kind"], by=user
                )
            except ValidationError as error:
                form.add_errors(error)
            else:
                kind = ProviderKind(form.cleaned_data["kind"]).label.lower()
                messages.success(request, f"{council.name} buys {kind} from {provider.name}.")
                return redirect(back)
    else:
        form = ProviderKindForm(initial={"kind": said.kind if said else ProviderKind.HOME_CARE})
    return render(
        request,
        "organisations/provider_kind_edit.html",
        {"council": council, "form": form, "contract": contract, "back": back},
    )
