"""What the directory tests share: the Open Referral UK feed in tests/data, the taxonomy mapping
that gives its services their needs, a council with its front-door officer beside another
council, and helpers that import the feed and load postcodes."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carebridge.accounts.models import User
from carebridge.core.permissions import Role
from carebridge.frontdoor.directory import imports, postcodes, taxonomy
from carebridge.frontdoor.models import DirectoryImport, DirectoryService
from carebridge.organisations.models import Council
from tests.support import make_council, make_district, make_user

DATA = Path(__file__).parent.parent / "data"
FEED = DATA / "oruk_services.json"
VOCABULARY = "Thistlecombe Community Directory"
MAPPING = {
    "Lunch clubs": "nutrition",
    "Meals at home": "nutrition",
    "Bathing support": "hygiene",
    "Continence support": "toilet",
    "Clothing": "clothing",
    "Home repairs and adaptations": "home_safety",
    "Falls prevention": "home_safety",
    "Keeping warm": "habitable_home",
    "Befriending": "relationships",
    "Dementia support": "relationships",
    "Volunteering": "work",
    "Community transport": "community",
    "Social groups": "community",
    "Digital skills": "community",
    "Exercise classes": "community",
    "Parent and toddler groups": "child_care",
    "Support for carers": "carer_support",
}


def feed() -> dict[str, Any]:
    return json.loads(FEED.read_text(encoding="utf-8"))


def valid_services() -> list[dict[str, Any]]:
    return [
        s
        for s in feed()["contents"]
        if isinstance(s, dict)
        and s["name"]
        and s["status"] != "open"
        and s["service_at_locations"][0]["location"]["latitude"] < 90
    ]


def write_feed(tmp_path: Path, contents: Any, name: str = "feed.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(contents), encoding="utf-8")
    return path


def by_name(council: Council, name: str) -> DirectoryService:
    return DirectoryService.objects.get(council=council, name=name)


@dataclass
class World:
    council: Council
    officer: User
    other_council: Council
    other_officer: User


def build() -> World:
    """Our council (Thistlecombe: WB1 to WB6) with a front-door officer, and another council."""
    council = make_council("Thistlecombe District Council")
    make_district(council, "Thistlecombe", "WB1 WB2 WB3")
    make_district(council, "Hensmoor and Pellingby", "WB4 WB5 WB6")
    other = make_council("Quillinghurst Metropolitan Council")
    make_district(other, "Quillinghurst", "QX1")
    return World(
        council=council,
        officer=make_user(council=council, role=Role.FRONT_DOOR_OFFICER),
        other_council=other,
        other_officer=make_user(council=other, role=Role.FRONT_DOOR_OFFICER),
    )


def map_terms(council: Council, by: User | None = None, mapping: dict[str, str] = MAPPING) -> int:
    terms: dict[tuple[str, str], str] = {}
    for service in feed()["contents"]:
        if isinstance(service, dict):
            for attribute in service["attributes"]:
                term = attribute["taxonomy_term"]
                terms[(term["taxonomy"], term["id"])] = term["term"]
    return taxonomy.taxonomy_mapping_save(
        council=council,
        choices=[
            taxonomy.TermChoice(vocabulary=v, term_id=i, term_name=n, outcome=mapping.get(n, ""))
            for (v, i), n in terms.items()
        ],
        by=by,
    )


def import_feed(council: Council, source: Any = FEED, by: User | None = None) -> DirectoryImport:
    return imports.directory_import(council=council, source=str(source), by=by)


def load_postcodes(rows: list[tuple[str, str, str]]) -> postcodes.PostcodeLoad:
    text = "postcode,latitude,longitude\n" + "".join(f"{p},{a},{b}\n" for p, a, b in rows)
    return postcodes.postcodes_load(file=io.StringIO(text), by=None)
