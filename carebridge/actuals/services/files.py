"""A file of actuals a provider's system sent through the API, kept by its reference: a
reference used once by the provider at a council is refused again, so a file sent twice (a retry
after a timeout, a resend by mistake) is never counted twice, as Access Provider Portal does with
visit files."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from carebridge.accounts.models import User
from carebridge.actuals.models import ActualsFile
from carebridge.audit.services import record
from carebridge.core.calendar import now
from carebridge.core.errors import Refused
from carebridge.core.formats import guide_datetime

FORMATS = ("json", "csv")


class ActualsFileRepeated(Refused):
    """The provider sent a file with this reference to this council before."""

    def __init__(self, message: str, received_at: datetime) -> None:
        super().__init__(message)
        self.received_at = received_at


def actuals_file_repeated(
    provider_id: int, council_id: int, reference: str
) -> ActualsFileRepeated | None:
    """The refusal of a reference the provider used before at the council, if it did."""
    first = (
        ActualsFile.objects.filter(
            provider_id=provider_id, council_id=council_id, reference=reference
        )
        .values_list("received_at", flat=True)
        .first()
    )
    if first is None:
        return None
    return ActualsFileRepeated(
        f"A file with the reference {reference} was received from you at "
        f"{guide_datetime(first)}: nothing of this one was saved. Give each file its own "
        "reference.",
        first,
    )


def actuals_file_record(
    *, user: User, council_id: int, reference: str, format: str, rows: int, by_label: str
) -> ActualsFile:
    """Keep the file's reference for the user's provider at the council, in the caller's
    transaction, after its actuals were saved in the same one: a refused file keeps no
    reference, and a kept reference always has its actuals. Raises ActualsFileRepeated for a
    reference used before, even by a request running at the same moment: the unique constraint
    decides (the later insert waits for the first transaction), and the caller's transaction,
    rolled back, keeps nothing of the later file."""
    assert format in FORMATS
    provider_id = user.provider_id
    assert provider_id is not None
    found = actuals_file_repeated(provider_id, council_id, reference)
    if found is not None:
        raise found
    try:
        # A savepoint, so that the caller's transaction survives the refused insert.
        with transaction.atomic():
            kept = ActualsFile.objects.create(
                provider_id=provider_id,
                council_id=council_id,
                reference=reference,
                received_at=now(),
                format=format,
                rows=rows,
                by_label=by_label[:200],
            )
    except IntegrityError as error:
        found = actuals_file_repeated(provider_id, council_id, reference)
        if found is None:
            raise
        raise found from error
    record(
        action="actuals.file_received",
        by=user,
        obj=kept,
        council=council_id,
        provider=provider_id,
        detail={"reference": reference, "format": format, "rows": rows, "via": by_label},
    )
    return kept
