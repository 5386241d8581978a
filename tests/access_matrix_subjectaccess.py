"""The access matrix's subject access part: the other council's request about its person, with
an identity check and an export prepared by its information-governance officer, and the entries
of the subject access URLs that take them."""

from __future__ import annotations

from typing import Any

from carebridge.core.calendar import today
from carebridge.organisations.models import Council
from carebridge.people.models import ServiceUser
from carebridge.subjectaccess import services as subjectaccess
from tests.access_entry import Entry
from tests.support import make_user

REQUESTER = "Quintessa Vandersnoot"
MARKERS = [REQUESTER, "quill.ig@example.org"]


def build_subjectaccess(*, council: Council, person: ServiceUser) -> dict[str, Any]:
    officer = make_user(
        council=council, role="information_governance", email="quill.ig@example.org"
    )
    request = subjectaccess.subject_access_request_create(
        by=officer,
        service_user=person,
        requester="representative",
        requester_name=REQUESTER,
        representative_authority="Lasting power of attorney",
        received_on=today(),
    )
    subjectaccess.subject_access_identity_verify(
        by=officer, request=request, verified_on=today(), method="Passport seen"
    )
    export = subjectaccess.subject_access_export_prepare(by=officer, request=request)
    return {"other_ig_officer": officer, "other_sar": request, "other_sar_export": export}


REGISTRY: dict[str, Entry] = {
    "subjectaccess:request_create": Entry(
        kwargs=lambda w: {"person_pk": w.other_service_user.pk}, owner=lambda w: w.other_ig_officer
    ),
    "subjectaccess:request_detail": Entry(
        kwargs=lambda w: {"pk": w.other_sar.pk}, owner=lambda w: w.other_ig_officer
    ),
    "subjectaccess:request_decide": Entry(
        kwargs=lambda w: {"pk": w.other_sar.pk, "decision": "verify"},
        owner=lambda w: w.other_ig_officer,
        more=({"decision": "extend"}, {"decision": "refuse"}, {"decision": "complete"}),
    ),
    "subjectaccess:export_prepare": Entry(
        kwargs=lambda w: {"pk": w.other_sar.pk}, owner=lambda w: w.other_ig_officer
    ),
    # The one-off link: its owner's POST downloads it (and uses it up), so it is tried last.
    "subjectaccess:export_download": Entry(
        kwargs=lambda w: {"pk": w.other_sar.pk, "export_pk": w.other_sar_export.pk},
        owner=lambda w: w.other_ig_officer,
    ),
}
