"""The contract document pages: the list both sides share, a document with its CPLIs and its PDF,
and the provider's signature (agree or reject, each with the password re-entered). The council's
own changes (publish, issue again, terminate) are in views/council.py."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from carebridge.accounts.models import User
from carebridge.contracts import services
from carebridge.contracts.access import access_contract_document
from carebridge.contracts.choices import DocumentKind, DocumentStatus
from carebridge.contracts.filters import DocumentFilters
from carebridge.contracts.forms import AgreeForm, RejectForm
from carebridge.contracts.models import ContractDocument
from carebridge.contracts.pdf import document_pdf as render_pdf
from carebridge.contracts.selectors import contract_documents_visible_to, document_lines
from carebridge.contracts.signed_contract import signed_contract_step
from carebridge.core.forms import GovForm
from carebridge.core.http import acting_user
from carebridge.core.lists import page_of
from carebridge.core.permissions import Function, can_edit, require_function
from carebridge.organisations.focus import narrow


def _service_options(user: User, documents: QuerySet[ContractDocument]) -> list[tuple[int, str]]:
    """The services the user's documents are for, in one query; a council also sees whose."""
    rows = documents.order_by().values_list("service_id", "service__name", "provider__name")
    labels = {
        pk: name if user.provider_id is not None else f"{name} ({provider})"
        for pk, name, provider in rows.distinct()
    }
    return sorted(labels.items(), key=lambda choice: choice[1])


@require_GET
def document_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_function(user, Function.CONTRACT_DOCUMENTS)
    # A provider of several councils that chose one sees that council's documents only.
    visible = narrow(contract_documents_visible_to(user), request)
    filters = DocumentFilters(request.GET, visible, services=_service_options(user, visible))
    chosen = filters.chosen()
    documents = filters.qs.select_related(
        "service", "service_user", "provider", "answered_by", "published_by"
    )
    page = page_of(request, documents)
    context = {
        "page": page,
        "documents": page.object_list,
        "filters": filters.form,
        "chosen": chosen,
        "is_council": user.council_id is not None,
        "can_publish": _may_change(user, None),
        "since_text": request.GET.get("since", ""),
    }
    return render(request, "contracts/document_list.html", context)


def _may_answer(user: User, document: ContractDocument) -> bool:
    return user.provider_id == document.provider_id and can_edit(
        user.role, Function.CONTRACT_DOCUMENTS
    )


def _may_change(user: User, document: ContractDocument | None) -> bool:
    """Council staff who edit contract documents (of this document's council)."""
    if user.council_id is None or not can_edit(user.role, Function.CONTRACT_DOCUMENTS):
        return False
    return document is None or document.council_id == user.council_id


def _related(user: User, document: ContractDocument) -> list[tuple[str, ContractDocument]]:
    """The documents this one replaces, terminates or is replaced or terminated by, that the user
    may see (a new document may be for another provider), in one query."""
    linked = (
        contract_documents_visible_to(user)
        .filter(
            Q(pk=document.replaces_id or 0)
            | Q(pk=document.terminates_id or 0)
            | Q(replaces=document)
            | Q(terminates=document)
        )
        .order_by("published_at", "pk")
    )
    rows = []
    for other in linked:
        if other.pk == document.replaces_id:
            rows.append(("Replaces", other))
        elif other.pk == document.terminates_id:
            rows.append(("Terminates", other))
        elif other.replaces_id == document.pk:
            rows.append(("Replaced by", other))
        else:
            rows.append(("Terminated by", other))
    return rows


@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    document = access_contract_document(user, pk)
    services.contract_document_viewed(
        document=document, by=user, ip=request.META.get("REMOTE_ADDR")
    )
    lines = document_lines(document)
    may_change = _may_change(user, document)
    context = {
        "document": document,
        "person": document.service_user,
        "lines": lines,
        "terminating": document.kind == DocumentKind.TERMINATION,
        "total": sum((cpli.weekly_cost for cpli, _last_day in lines), start=Decimal("0.00")),
        "can_answer": _may_answer(user, document) and services.answer_refusal(document) is None,
        "can_reissue": may_change and services.reissue_refusal(document) is None,
        "can_terminate": may_change and services.termination_refusal(document) is None,
        "related": _related(user, document),
        "is_council": user.council_id is not None,
        "signed_contract": signed_contract_step(user, document),
    }
    return render(request, "contracts/document_detail.html", context)


@require_GET
def document_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    document = access_contract_document(user, pk)
    services.contract_document_viewed(
        document=document, by=user, downloaded=True, ip=request.META.get("REMOTE_ADDR")
    )
    response = HttpResponse(render_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.reference}.pdf"'
    return response


def _answered_already(document: ContractDocument) -> str:
    refusal = services.answer_refusal(document)
    return refusal.message if refusal else ""


def _answer(
    request: HttpRequest,
    pk: int,
    *,
    form_class: type[GovForm],
    template: str,
    answer: DocumentStatus,
) -> HttpResponse:
    user = acting_user(request)
    document = access_contract_document(user, pk, for_change=True)
    if not _may_answer(user, document):
        raise PermissionDenied
    form = form_class(request.POST if request.method == "POST" else None)
    refusal = _answered_already(document) if request.method == "GET" else ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ip = request.META.get("REMOTE_ADDR")
        try:
            if answer == DocumentStatus.AGREED:
                answered = services.contract_document_agree(
                    document=document, by=user, password=data["password"], ip=ip
                )
            else:
                answered = services.contract_document_reject(
                    document=document,
                    by=user,
                    password=data["password"],
                    notes=data["notes"],
                    ip=ip,
                )
        except ValidationError as error:
            form.add_errors(error)
        except services.AnswerRefused as refused:
            form.add_error(None, refused.message)
            refusal = refused.message
        else:
            if answered.status == DocumentStatus.AGREED and answered.kind == DocumentKind.ORDER:
                message = f"You agreed to {answered.reference}. Its care package line items are now active."
            elif answered.status == DocumentStatus.AGREED:
                message = f"You agreed to the termination {answered.reference}."
            else:
                message = f"You rejected {answered.reference}. The council has been told why."
            messages.success(request, message)
            return redirect("contracts:document_detail", pk=answered.pk)
    context = {
        "document": document,
        "person": document.service_user,
        "form": form,
        "refusal": refusal,
    }
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def document_agree(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(
        request,
        pk,
        form_class=AgreeForm,
        template="contracts/document_agree.html",
        answer=DocumentStatus.AGREED,
    )


@require_http_methods(["GET", "POST"])
def document_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(
        request,
        pk,
        form_class=RejectForm,
        template="contracts/document_reject.html",
        answer=DocumentStatus.REJECTED,
    )
