"""The council's neighbouring areas: postcodes another council looks after, so that people
living there are told whom to ask."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from carebridge.accounts.models import User
from carebridge.audit.services import record
from carebridge.core.idempotency import once_per_key
from carebridge.frontdoor.directory import feed as oruk
from carebridge.frontdoor.models import NeighbouringArea
from carebridge.organisations.models import Council, District


def _own_codes(council: Council) -> set[str]:
    codes: set[str] = set()
    for value in District.objects.filter(council=council).values_list(
        "postcode_districts", flat=True
    ):
        codes.update(value.split())
    return codes


def _check_area(area: NeighbouringArea) -> None:
    area.name = " ".join(area.name.split())
    area.postcode_districts = " ".join(oruk.outward_codes(area.postcode_districts))
    area.phone = " ".join(area.phone.split())
    area.full_clean()
    ours = sorted(_own_codes(area.council) & area.outward_codes())
    if ours:
        raise ValidationError(
            {
                "postcode_districts": "These are in your own districts, not a neighbour's: "
                + ", ".join(ours)
            }
        )


@transaction.atomic
@once_per_key(
    "frontdoor.neighbouring_area_create",
    find=lambda pk, call: NeighbouringArea.objects.filter(pk=pk, council=call["council"]).first(),
)
def neighbouring_area_create(
    *,
    council: Council,
    by: User | None,
    name: str,
    postcode_districts: str,
    website: str = "",
    phone: str = "",
    idempotency_key: str | None = None,
) -> NeighbouringArea:
    """Tell people in these postcodes that another council looks after them (once per the
    form's key)."""
    area = NeighbouringArea(
        council=council,
        name=name,
        postcode_districts=postcode_districts,
        website=website,
        phone=phone,
    )
    _check_area(area)
    area.save()
    record(action="neighbouring_area.created", by=by, obj=area, council=council, after=_area(area))
    return area


@transaction.atomic
def neighbouring_area_update(
    *,
    area: NeighbouringArea,
    by: User | None,
    name: str,
    postcode_districts: str,
    website: str = "",
    phone: str = "",
) -> NeighbouringArea:
    before = _area(NeighbouringArea.objects.get(pk=area.pk))
    area.name, area.postcode_districts, area.website, area.phone = (
        name,
        postcode_districts,
        website,
        phone,
    )
    _check_area(area)
    area.save()
    record(
        action="neighbouring_area.updated",
        by=by,
        obj=area,
        council=area.council_id,
        before=before,
        after=_area(area),
    )
    return area


@transaction.atomic
def neighbouring_area_remove(*, area: NeighbouringArea, by: User | None) -> None:
    record(
        action="neighbouring_area.removed",
        by=by,
        obj=area,
        council=area.council_id,
        before=_area(area),
    )
    area.delete()


def _area(area: NeighbouringArea) -> dict[str, str]:
    return {
        "name": area.name,
        "postcode_districts": area.postcode_districts,
        "website": area.website,
        "phone": area.phone,
    }
