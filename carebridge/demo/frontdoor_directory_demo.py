"""The demo's signposting directory: an invented Open Referral UK feed of 25 community services
around the invented town of Thistlecombe, the postcodes of its area, the council's taxonomy
mapping and two neighbouring councils.

Every postcode is in the WB area, which passes the BS 7666 format check but does not exist in
the United Kingdom, so no demo address is anybody's. Thistlecombe's district covers WB1 to WB6;
WB7 and WB8 belong to the neighbour Corvedge, WB9 to Fenmarrow. Phone numbers are from Ofcom's
ranges for drama (01632 960xxx, 0808 157 0xxx); web and e-mail addresses are example.org.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from carebridge.frontdoor.directory.areas import neighbouring_area_create
from carebridge.frontdoor.directory.feed import SignpostNeed
from carebridge.frontdoor.directory.imports import directory_import
from carebridge.frontdoor.directory.postcodes import postcodes_load
from carebridge.frontdoor.directory.taxonomy import TermChoice, taxonomy_mapping_save
from carebridge.frontdoor.models import NeighbouringArea, Postcode, TaxonomyMapping
from carebridge.organisations import services as organisations
from carebridge.organisations.models import Council, District

DATA = Path(__file__).resolve().parent / "data"
FEED = DATA / "demo_directory.json"
POSTCODES = DATA / "demo_postcodes.csv"

DISTRICT = "Thistlecombe"
DISTRICT_CODES = "WB1 WB2 WB3 WB4 WB5 WB6"
NEIGHBOURS = (
    {
        "name": "Corvedge District Council",
        "postcode_districts": "WB7 WB8",
        "website": "https://www.corvedge.example.org/adult-social-care",
        "phone": "01632 960200",
    },
    {
        "name": "Fenmarrow Borough Council",
        "postcode_districts": "WB9",
        "website": "https://www.fenmarrow.example.org/care-and-support",
        "phone": "01632 960300",
    },
)
# The feed's terms by name and the need each stands for; terms not named here stay unmapped
# (Benefits advice, Sensory support, Swimming and the "Who it is for" terms), as in real life.
MAPPING = {
    "Lunch clubs": SignpostNeed.NUTRITION,
    "Meals at home": SignpostNeed.NUTRITION,
    "Bathing support": SignpostNeed.HYGIENE,
    "Continence support": SignpostNeed.TOILET,
    "Clothing": SignpostNeed.CLOTHING,
    "Home repairs and adaptations": SignpostNeed.HOME_SAFETY,
    "Falls prevention": SignpostNeed.HOME_SAFETY,
    "Keeping warm": SignpostNeed.HABITABLE_HOME,
    "Laundry": SignpostNeed.HABITABLE_HOME,
    "Befriending": SignpostNeed.RELATIONSHIPS,
    "Dementia support": SignpostNeed.RELATIONSHIPS,
    "Volunteering": SignpostNeed.WORK,
    "Community transport": SignpostNeed.COMMUNITY,
    "Social groups": SignpostNeed.COMMUNITY,
    "Digital skills": SignpostNeed.COMMUNITY,
    "Exercise classes": SignpostNeed.COMMUNITY,
    "Parent and toddler groups": SignpostNeed.CHILD_CARE,
    "Support for carers": SignpostNeed.CARER_SUPPORT,
}


def _feed_terms() -> dict[tuple[str, str], str]:
    terms: dict[tuple[str, str], str] = {}
    for service in json.loads(FEED.read_text(encoding="utf-8"))["contents"]:
        for attribute in service.get("attributes", []):
            term = attribute["taxonomy_term"]
            terms[(term["taxonomy"], term["id"])] = term["term"]
    return terms


@transaction.atomic
def directory_demo(council: Council) -> dict[str, Any]:
    """Give the council the demo directory; safe to run again (it changes nothing the second
    time). The council gets a district "Thistlecombe" covering WB1 to WB6 unless one of its
    districts covers WB1 already."""
    made: dict[str, Any] = {}
    covered = any(
        "WB1" in codes.split()
        for codes in District.objects.filter(council=council).values_list(
            "postcode_districts", flat=True
        )
    )
    if not covered and not District.objects.filter(council=council, name=DISTRICT).exists():
        organisations.district_create(
            council=council, name=DISTRICT, postcode_districts=DISTRICT_CODES
        )
        made["district"] = DISTRICT

    if not Postcode.objects.filter(postcode="WB1 1AX").exists():
        with POSTCODES.open(encoding="utf-8", newline="") as file:
            made["postcodes"] = postcodes_load(file=file, by=None).loaded

    for fields in NEIGHBOURS:
        if not NeighbouringArea.objects.filter(council=council, name=fields["name"]).exists():
            neighbouring_area_create(council=council, by=None, **fields)
            made.setdefault("neighbouring areas", 0)
            made["neighbouring areas"] += 1

    if not TaxonomyMapping.objects.filter(council=council).exists():
        taxonomy_mapping_save(
            council=council,
            choices=[
                TermChoice(vocabulary=vocabulary, term_id=term_id, term_name=name, outcome=need)
                for (vocabulary, term_id), name in _feed_terms().items()
                if (need := MAPPING.get(name))
            ],
            by=None,
        )
        made["taxonomy mappings"] = TaxonomyMapping.objects.filter(council=council).count()

    log = directory_import(council=council, source=str(FEED), by=None)
    made["services"] = {"new": log.imported, "changed": log.updated, "left out": log.skipped}
    return made
