"""The council's side of contract documents: publishing an Individual Service Order, issuing a new
document after the provider rejected one, and terminating an agreed order.

The document form needs no JavaScript: "Add another line" and each line's "Remove" post the form
back and show it again, with what was typed and nothing published.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from carebridge.accounts.models import User
from carebridge.contracts import services
from carebridge.contracts.access import access_contract_document
from carebridge.contracts.choices import DocumentKind, PricingBasis
from carebridge.contracts.forms import MAX_LINES, ContractDocumentForm, TerminationForm
from carebridge.contracts.models import ContractDocument
from carebridge.contracts.selectors import catalogue_of, services_to_commission
from carebridge.core.bounds import parse_id
from carebridge.core.formats import guide_date
from carebridge.core.http import acting_user
from carebridge.core.idempotency import key_from_form
from carebridge.core.permissions import Function, require_function
from carebridge.people.selectors import service_users_visible_to


def _require_publisher(user: User) -> int:
    """Council staff whose role edits contract documents; the council's id."""
    require_function(user, Function.CONTRACT_DOCUMENTS, edit=True)
    if user.council_id is None:
        raise PermissionDenied
    return user.council_id


def _council_document(request: HttpRequest, pk: int) -> tuple[User, ContractDocument]:
    """The council's own document, for a change only its staff make: 404 for another council's,
    403 for the provider's users (who may see it, but not change it) and view-only roles."""
    user = acting_user(request)
    document = access_contract_document(user, pk, for_change=True)
    if _require_publisher(user) != document.council_id:
        raise PermissionDenied
    return user, document


def _posted_count(data: QueryDict) -> int:
    text = data.get("line_count", "")
    count = parse_id(text) or 1
    return min(max(count, 1), MAX_LINES)


def _document_form(
    request: HttpRequest,
    user: User,
    council_id: int,
    *,
    initial: dict[str, Any],
    replaces: ContractDocument | None = None,
) -> HttpResponse:
    def build(data: QueryDict | None, count: int, start: dict[str, Any] | None = None) -> Any:
        return ContractDocumentForm(
            data,
            line_count=count,
            clients=service_users_visible_to(user),
            services=services_to_commission(council_id),
            levels=catalogue_of(council_id),
            initial=start,
        )

    if request.method != "POST":
        form = build(None, initial["line_count"], initial)
    else:
        form = build(request.POST, _posted_count(request.POST))
        remove = request.POST.get("remove", "")
        if "add_line" in request.POST or remove:
            again = form.rearranged(add="add_line" in request.POST, remove=parse_id(remove))
            form = build(None, again["line_count"], again)
        elif form.is_valid():
            council = user.council
            assert council is not None
            try:
                document = services.contract_document_publish(
                    council=council,
                    service=form.chosen_service(),
                    service_user=form.client,
                    care_package_reference=form.cleaned_data["care_package_reference"],
                    lines=form.lines(),
                    by=user,
                    replaces=replaces,
                    idempotency_key=key_from_form(request),
                )
            except ValidationError as error:
                form.add_errors(error)
            else:
                instead = f" in place of {replaces.reference}" if replaces else ""
                messages.success(
                    request,
                    f"You published {document.reference}{instead} to {document.provider.name}. "
                    "It waits for the provider to agree to it.",
                )
                return redirect("contracts:document_detail", pk=document.pk)
    context = {
        "form": form,
        "document": replaces,
        "person": replaces.service_user if replaces else None,
        "max_lines": MAX_LINES,
    }
    return render(request, "contracts/document_form.html", context)


@require_http_methods(["GET", "POST"])
def document_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    council_id = _require_publisher(user)
    initial = ContractDocumentForm.initial_for(
        ss_ref=request.GET.get("ss_ref", "")[:30],
        lines=[{"pricing_basis": PricingBasis.SPOT}],
    )
    return _document_form(request, user, council_id, initial=initial)


def _refused(
    request: HttpRequest, document: ContractDocument, *, heading: str, refusal: str
) -> HttpResponse:
    """Why the document does not allow this now, in place of the form (the page still shows, so a
    link followed late explains itself)."""
    context = {
        "document": document,
        "person": document.service_user,
        "heading": heading,
        "refusal": refusal,
    }
    return render(request, "contracts/document_refused.html", context)


@require_http_methods(["GET", "POST"])
def document_reissue(request: HttpRequest, pk: int) -> HttpResponse:
    """A new document in place of a rejected one, prefilled from it: an order, or a corrected
    termination."""
    user, document = _council_document(request, pk)
    refusal = services.reissue_refusal(document)
    if refusal is not None:
        return _refused(request, document, heading="Issue a new document", refusal=refusal.message)
    if document.kind == DocumentKind.TERMINATION:
        assert document.terminates is not None
        return _termination_form(
            request,
            user,
            document.terminates,
            replaces=document,
            initial={"end_date": document.end_date, "reason": document.reason},
        )
    initial = ContractDocumentForm.initial_for(
        ss_ref=document.service_user.ss_ref,
        service=document.service_id,
        care_package_reference=document.care_package_reference,
        lines=[
            {
                "service_level": str(cpli.service_level_id),
                "quantity": cpli.quantity,
                "visits": cpli.visits or None,
                "yearly_allocation": cpli.yearly_allocation,
                "rate": cpli.rate,
                "pricing_basis": cpli.pricing_basis,
                "start_date": cpli.start_date,
                "end_date": cpli.ordered_end_date,
            }
            for cpli in document.cplis.order_by("pk")
        ]
        or [{"pricing_basis": PricingBasis.SPOT}],
    )
    return _document_form(request, user, document.council_id, initial=initial, replaces=document)


def _termination_form(
    request: HttpRequest,
    user: User,
    order: ContractDocument,
    *,
    initial: dict[str, Any] | None = None,
    replaces: ContractDocument | None = None,
) -> HttpResponse:
    form = TerminationForm(request.POST if request.method == "POST" else None, initial=initial)
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            termination = services.contract_document_terminate(
                document=order,
                end_date=form.cleaned_data["end_date"],
                reason=form.cleaned_data["reason"],
                by=user,
                replaces=replaces,
            )
        except ValidationError as error:
            form.add_errors(error)
        except services.DocumentRefused as refused:
            form.add_error(None, refused.message)
            refusal = refused.message
        else:
            done = (
                f"You issued {termination.reference} in place of {replaces.reference}"
                if replaces
                else f"You terminated {order.reference}"
            )
            messages.success(
                request,
                f"{done}: the last day of care is {guide_date(termination.end_date)}. "
                f"The termination {termination.reference} waits for the provider to agree to it.",
            )
            return redirect("contracts:document_detail", pk=termination.pk)
    cplis = list(order.cplis.select_related("service_level").order_by("pk"))
    context = {
        "document": replaces or order,
        "order": order,
        "person": order.service_user,
        "cplis": cplis,
        "form": form,
        "refusal": refusal,
        "replaces": replaces,
    }
    return render(request, "contracts/document_terminate.html", context)


@require_http_methods(["GET", "POST"])
def document_terminate(request: HttpRequest, pk: int) -> HttpResponse:
    user, document = _council_document(request, pk)
    refusal = services.termination_refusal(document)
    if refusal is not None:
        return _refused(request, document, heading="Terminate this order", refusal=refusal.message)
    return _termination_form(request, user, document)
