"""Object access for contract documents: 404 when the acting user may not see the document."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from carebridge.accounts.models import User
from carebridge.contracts.models import ContractDocument
from carebridge.contracts.selectors import contract_documents_visible_to
from carebridge.core.permissions import Function, can_edit


def access_contract_document(user: User, pk: int, *, for_change: bool = False) -> ContractDocument:
    document = (
        contract_documents_visible_to(user)
        .select_related(
            "council", "provider", "service", "service_user", "answered_by", "published_by"
        )
        .filter(pk=pk)
        .first()
    )
    if document is None:
        raise Http404("No such contract document")
    if for_change and not can_edit(user.role, Function.CONTRACT_DOCUMENTS):
        raise PermissionDenied
    return document
