"""The council's LA code, set by its administrators from the return's page (the portal has no
other page of a council's own details). Audited with the code before and after."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from carebridge.audit.services import record
from carebridge.core.permissions import Function, can_edit
from carebridge.organisations.models import Council

if TYPE_CHECKING:
    from carebridge.accounts.models import User

LA_CODE = re.compile(r"E[0-9]{8}")
LA_CODE_MESSAGE = "Enter the council's ONS code: E and 8 digits, like E10000020"


@transaction.atomic
def la_code_set(*, by: User, council: Council, la_code: str) -> Council:
    if by.council_id != council.pk or not can_edit(by.role, Function.ORGANISATION_DETAILS):
        raise PermissionDenied
    la_code = la_code.strip().upper()
    if la_code and not LA_CODE.fullmatch(la_code):
        raise ValidationError({"la_code": LA_CODE_MESSAGE})
    council = Council.objects.select_for_update().get(pk=council.pk)
    before = council.la_code
    if before == la_code:
        return council
    council.la_code = la_code
    council.save(update_fields=["la_code"])
    record(
        action="council.la_code_set",
        by=by,
        obj=council,
        council=council,
        before={"la_code": before},
        after={"la_code": la_code},
    )
    return council
