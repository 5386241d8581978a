"""The daily summary's sections about contracts: care package line items added or amended, and
contract documents published or changed, as the user's own pages show them."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from carebridge.accounts.models import User
from carebridge.contracts.models import ContractDocument, Cpli
from carebridge.contracts.selectors import contract_documents_visible_to, cplis_visible_to
from carebridge.notifications.digest import DigestLine, digest_section_register
from carebridge.notifications.models import NotificationKind
from carebridge.notifications.services import site_link


def _changed_between(since: datetime, until: datetime, prefix: str = "") -> Q:
    return Q(**{f"{prefix}published_at__gte": since, f"{prefix}published_at__lt": until}) | Q(
        **{f"{prefix}changed_at__gte": since, f"{prefix}changed_at__lt": until}
    )


def _digest_cplis(user: User, since: datetime, until: datetime) -> list[DigestLine]:
    """CPLIs added or amended: a line changes only through its contract document."""
    cplis: QuerySet[Cpli] = (
        cplis_visible_to(user)
        .filter(_changed_between(since, until, "document__"))
        .select_related("service_level", "document", "provider")
        .order_by("document__reference", "pk")
    )
    return [
        DigestLine(
            f"CPLI {cpli.pk}: {cpli.service_level.name}, care package "
            f"{cpli.care_package_reference}, {cpli.get_status_display().lower()}",
            site_link("contracts:document_detail", cpli.document_id),
        )
        for cpli in cplis
    ]


def _digest_documents(user: User, since: datetime, until: datetime) -> list[DigestLine]:
    documents: QuerySet[ContractDocument] = (
        contract_documents_visible_to(user)
        .filter(_changed_between(since, until))
        .order_by("reference", "pk")
    )
    return [
        DigestLine(
            f"{document.get_kind_display()} {document.reference}: "
            f"{document.get_status_display().lower()}",
            site_link("contracts:document_detail", document.pk),
        )
        for document in documents
    ]


def register_digest_sections() -> None:
    digest_section_register(NotificationKind.DAILY_CPLIS, "Care package line items", _digest_cplis)
    digest_section_register(
        NotificationKind.DAILY_CONTRACT_DOCUMENTS, "Contract documents", _digest_documents
    )
