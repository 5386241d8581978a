"""A correction of a person's details reaches the front door's copy of them (the right to
rectification, security.md 14.2.4).

A request accepted for assessment is linked to the service user it became, and keeps its own
copy of who the person is: the details `request_accept` copies into a new record (name, date of
birth, NHS number, address, phone, GP practice). When an officer corrects the person's record
(people.services.service_user_rectify), `people.signals.service_user_rectified` is sent inside
that transaction and `requests_rectify` corrects the same details on every request linked to
the person, with one audit event a request carrying only what changed there, before and after,
and the reason; the council's staff read it, who already read the request and the person's
correction. Connected in FrontDoorConfig.ready.

What is corrected, and what is not:
- A detail the request holds (not blank) is set to the corrected value; one it never held stays
  blank: a request never gains details the person did not give with it.
- The name is one field on a request: it becomes the corrected first and last name.
- Consent to share is not a detail but what the person agreed to with that request; it stays.
- A request retention has anonymised keeps nothing to correct, and gets nothing back.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from carebridge.audit.services import changed_fields, record, snapshot
from carebridge.frontdoor.models import FrontDoorRequest
from carebridge.people.models import ServiceUser

# The service user's detail (its audit snapshot's name) -> the request's field holding a copy.
COPIES = {
    "date_of_birth": "person_date_of_birth",
    "nhs_number": "person_nhs_number",
    "address_line_1": "person_address_line_1",
    "address_line_2": "person_address_line_2",
    "town": "person_town",
    "postcode": "postcode",
    "phone": "person_phone",
    "gp_practice": "gp_practice",
}
NAME_PARTS = ("first_name", "last_name")
# What retention writes as an anonymised request's name (retention.removal.REMOVED: retention
# sits above the front door, so the word is repeated here and a test keeps the two the same).
ANONYMISED = "Removed"
DISPATCH_UID = "frontdoor.requests_rectify"


def corrected_copy(person: ServiceUser, changed: set[str]) -> dict[str, Any]:
    """The request fields the correction touches, with the person's corrected values."""
    values = {COPIES[name]: getattr(person, name) for name in changed if name in COPIES}
    if changed & set(NAME_PARTS):
        values["person_name"] = f"{person.first_name} {person.last_name}".strip()[:200]
    return values


def requests_rectify(
    *,
    person: ServiceUser,
    by: Any,
    after: dict[str, Any],
    reason: str,
    **_: Any,
) -> list[FrontDoorRequest]:
    """Correct the linked requests' copies; returns the requests changed. Receives
    `service_user_rectified`, inside the correction's transaction."""
    values = corrected_copy(person, set(after))
    if not values:
        return []
    linked = (
        FrontDoorRequest.objects.select_for_update()
        .filter(service_user=person, council_id=person.council_id)
        .exclude(person_name=ANONYMISED)
        .order_by("pk")
    )
    corrected = []
    with transaction.atomic():
        for request in linked:
            before = snapshot(request, list(values))
            for name, value in values.items():
                if getattr(request, name) not in ("", None):
                    setattr(request, name, value)
            now_held = snapshot(request, list(values))
            changed = changed_fields(before, now_held)
            if not changed:
                continue
            # `changed_at` is the status's clock (compare-and-set, retention's period): a
            # correction of details leaves it.
            request.save(update_fields=changed)
            record(
                action="front_door.details_rectified",
                by=by,
                obj=request,
                council=request.council_id,
                before={k: before[k] for k in changed},
                after={k: now_held[k] for k in changed},
                detail={"reason": reason, "service_user": person.pk},
            )
            corrected.append(request)
    return corrected
