"""Object access for subject access: 404 for what the acting user may not see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from carebridge.subjectaccess.models import SubjectAccessExport, SubjectAccessRequest
from carebridge.subjectaccess.selectors import people_visible_to, requests_visible_to

if TYPE_CHECKING:
    from carebridge.accounts.models import User
    from carebridge.people.models import ServiceUser


def access_request(user: User, pk: int) -> SubjectAccessRequest:
    request = (
        requests_visible_to(user)
        .select_related("service_user", "council", "created_by", "closed_by")
        .filter(pk=pk)
        .first()
    )
    if request is None:
        raise Http404("No such subject access request")
    return request


def access_person(user: User, pk: int) -> ServiceUser:
    person = people_visible_to(user).filter(pk=pk).first()
    if person is None:
        raise Http404("No such person")
    return person


def access_export(user: User, request_pk: int, pk: int) -> SubjectAccessExport:
    """Only the officer who prepared it may use its link, and only once."""
    export = (
        SubjectAccessExport.objects.select_related("request__service_user", "request__council")
        .filter(
            pk=pk,
            request_id=request_pk,
            request__in=requests_visible_to(user),
            prepared_by_id=user.pk,
            downloaded_at__isnull=True,
        )
        .first()
    )
    if export is None:
        raise Http404("No such export")
    return export
