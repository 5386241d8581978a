"""Where a postcode is: neighbouring areas, the postcode table and its loading, and
inside, neighbour or unknown."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from carebridge.audit.models import Event
from carebridge.frontdoor.directory import areas, postcodes
from carebridge.frontdoor.directory.selectors import area_for
from carebridge.frontdoor.models import NeighbouringArea, Postcode
from carebridge.frontdoor.tests.directory.directory_support import load_postcodes

pytestmark = pytest.mark.django_db


# --- Neighbouring areas -------------------------------------------------------------------------


def test_neighbouring_areas_are_checked_and_audited(world):
    area = areas.neighbouring_area_create(
        council=world.council,
        by=world.officer,
        name=" Corvedge  District Council",
        postcode_districts="wb8, wb7 WB8",
    )
    assert (area.name, area.postcode_districts) == ("Corvedge District Council", "WB8 WB7")

    with pytest.raises(ValidationError, match="own districts"):
        areas.neighbouring_area_create(
            council=world.council, by=None, name="Mistaken", postcode_districts="WB9 WB1"
        )
    with pytest.raises(ValidationError):
        areas.neighbouring_area_create(
            council=world.council,
            by=None,
            name="Corvedge District Council",
            postcode_districts="WB9",
        )
    with pytest.raises(ValidationError, match="outward codes"):
        areas.neighbouring_area_create(
            council=world.council, by=None, name="Typo", postcode_districts="W B9"
        )

    areas.neighbouring_area_update(
        area=area, by=world.officer, name=area.name, postcode_districts="WB7", phone="01632 960200"
    )
    assert NeighbouringArea.objects.get(pk=area.pk).postcode_districts == "WB7"
    areas.neighbouring_area_remove(area=area, by=world.officer)
    assert not NeighbouringArea.objects.exists()
    assert list(
        Event.objects.filter(action__startswith="neighbouring_area")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["neighbouring_area.created", "neighbouring_area.updated", "neighbouring_area.removed"]


# --- The postcode table -------------------------------------------------------------------------


def test_it_loads_postcodes_and_rejects_bad_rows_by_line(world):
    text = (
        "postcode,latitude,longitude\n"
        "wb1 2ab,52.9530,-1.7470\n"
        "WB12AD,52.9540,-1.7480\n"
        "\n"
        "NOT A CODE,52.9,-1.7\n"
        "WB1 2AE,ninety,-1.7\n"
        "WB1 2AF,99.999999,0.000000\n"
        "WB1 2AG,-1.7470,52.9530\n"
        "WB1 2AH\n"
    )
    result = postcodes.postcodes_load(file=io.StringIO(text), by=None)

    assert (result.read, result.loaded, result.rejected) == (7, 2, 5)
    assert result.problems == [
        "Line 5: 'NOT A CODE' is not a postcode",
        "Line 6: WB1 2AE: the latitude and longitude must be numbers",
        "Line 7: WB1 2AF: it has no coordinates (the ONS marks these 99.999999)",
        "Line 8: WB1 2AG: -1.7470, 52.9530 is not in the United Kingdom",
        "Line 9: it has too few columns",
    ]
    assert dict(Postcode.objects.values_list("postcode", "latitude")) == {
        "WB1 2AB": Decimal("52.953000"),
        "WB1 2AD": Decimal("52.954000"),
    }


def test_it_reads_the_ons_columns_and_updates_postcodes_already_there(world):
    load_postcodes([("WB1 2AB", "52.9", "-1.7")])
    text = "pcd,pcd2,pcds,dointr,doterm,lat,long,oa21\nWB1  2AB,WB1  2AB,WB1 2AB,202001,,52.953,-1.747,E00000001\n"

    result = postcodes.postcodes_load(file=io.StringIO(text), by=None)

    assert result.loaded == 1
    point = Postcode.objects.get(postcode="WB1 2AB")
    assert (point.latitude, point.longitude) == (Decimal("52.953000"), Decimal("-1.747000"))


def test_a_strict_load_or_a_failure_loads_nothing(world, monkeypatch):
    text = "postcode,latitude,longitude\nWB1 2AB,52.9,-1.7\nWB1 2AD,52.9,-1.7\nWB1 2AE,x,y\n"
    with pytest.raises(postcodes.PostcodesRefused, match="1 row could not be loaded, so none were"):
        postcodes.postcodes_load(file=io.StringIO(text), by=None, strict=True, batch_size=1)
    assert not Postcode.objects.exists()

    calls = []
    real = postcodes._flush

    def flaky(batch):
        calls.append(len(batch))
        if len(calls) == 2:
            raise RuntimeError("connection lost")
        real(batch)

    monkeypatch.setattr(postcodes, "_flush", flaky)
    with pytest.raises(RuntimeError):
        postcodes.postcodes_load(file=io.StringIO(text), by=None, batch_size=1)
    assert not Postcode.objects.exists()


def test_it_refuses_a_file_without_the_columns(world):
    with pytest.raises(postcodes.PostcodesRefused, match="no latitude column"):
        postcodes.postcodes_load(file=io.StringIO("postcode,x,y\nWB1 2AB,1,2\n"), by=None)


def test_the_postcodes_command_reports_rows_loaded_and_rejected(world, tmp_path):
    path = tmp_path / "onspd.csv"
    path.write_text(
        "\ufeffpcds,lat,long\nWB1 2AB,52.953,-1.747\nQQ1 1AA,52.9,-1.7\n", encoding="utf-8"
    )
    out = io.StringIO()
    call_command("postcodes_load", "--file", str(path), stdout=out)
    assert "1 postcodes loaded, 1 rows rejected, of 2 read" in out.getvalue()
    assert "Line 3: 'QQ1 1AA' is not a postcode" in out.getvalue()


# --- Where a postcode is ------------------------------------------------------------------------


def test_area_for_tells_inside_neighbour_and_unknown(world):
    corvedge = areas.neighbouring_area_create(
        council=world.council,
        by=None,
        name="Corvedge District Council",
        postcode_districts="WB7 WB8",
    )
    load_postcodes([("WB1 2AB", "52.953", "-1.747"), ("WB7 1AA", "53.01", "-1.81")])

    assert area_for(world.council, "wb12ab") == area_for(world.council, "WB1 2AB")
    inside = area_for(world.council, "WB1 2AB")
    assert (inside.kind, inside.neighbour, inside.latitude) == (
        "inside",
        None,
        Decimal("52.953000"),
    )
    assert area_for(world.council, "WB6 9ZZ").kind == "inside"  # not in the table: no point
    assert area_for(world.council, "WB6 9ZZ").latitude is None
    neighbour = area_for(world.council, "WB7 1AA")
    assert (neighbour.kind, neighbour.neighbour) == ("neighbour", corvedge)
    assert neighbour.longitude == Decimal("-1.810000")
    assert area_for(world.council, "WB9 1AA").kind == "unknown"
    assert (
        area_for(world.council, "QX1 1AA").kind == "unknown"
    )  # another council's, not a neighbour
    assert area_for(world.council, "not a postcode").kind == "unknown"
