"""Reading an Open Referral UK services feed: pure functions, no database and no network.

A feed is a page envelope of the UK profile v3 API (`contents`, `page_number`, `total_pages`),
of the older ORUK v1 API (`content`, `number`, `totalPages`), or a plain list of services. Each
service is checked on its own: a malformed one is reported (its place in the feed, its id when it
has one, and a plain message) and left out, so one bad record never stops a council's directory
from refreshing.

Where the UK profile nests things:
- taxonomy terms: `attributes[].taxonomy_term` (v3; the term's words are in `term`, or `name` in
  plain HSDS 3), a `taxonomy_terms` list, or `service_taxonomys[].taxonomy` (v1, with
  `vocabulary`);
- locations: `service_at_locations[].location`, with `addresses` (v3) or `physical_addresses`
  (v1), and latitude/longitude in WGS84 decimal degrees;
- phones: the profile moved them between versions, so the first number found on the service,
  its contacts, its locations or its organisation is taken, in that order.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.html import strip_tags

from carebridge.people.validators import normalise_postcode, postcode_is_valid


class SignpostNeed(models.TextChoices):
    """What a signposted service can help with: the ten Care Act outcomes (the values of
    Outcome, in plain words) and carers' support. The front door's unmet needs use these codes."""

    NUTRITION = "nutrition", "Eating and drinking well"
    HYGIENE = "hygiene", "Washing and keeping clean"
    TOILET = "toilet", "Using the toilet"
    CLOTHING = "clothing", "Getting dressed"
    HOME_SAFETY = "home_safety", "Moving around the home safely"
    HABITABLE_HOME = "habitable_home", "Keeping the home clean and safe to live in"
    RELATIONSHIPS = "relationships", "Keeping in touch with family and friends"
    WORK = "work", "Work, training, learning or volunteering"
    COMMUNITY = "community", "Getting out and using local places and transport"
    CHILD_CARE = "child_care", "Looking after a child"
    CARER_SUPPORT = "carer_support", "Support for carers"


# The needs in order, computed once: SignpostNeed.values builds a new list on every use.
NEEDS: tuple[str, ...] = tuple(SignpostNeed.values)


class ServiceStatus(models.TextChoices):
    """A service's status in the UK profile (service.status); only active ones are signposted."""

    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    DEFUNCT = "defunct", "Defunct"
    TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"


# Field sizes, shared with the models so that a record that passes here always fits the table.
ID_LENGTH = 200
NAME_LENGTH = 300
ORGANISATION_LENGTH = 300
URL_LENGTH = 500
EMAIL_LENGTH = 254
PHONE_LENGTH = 40
ADDRESS_LENGTH = 500
TERM_LENGTH = 300
VOCABULARY_LENGTH = 200
OPENING_TIMES_LENGTH = 1000
DESCRIPTION_LENGTH = 10_000
MAX_AGE = 150
# A service with more locations than this is a mistake in the feed, not a directory entry.
MAX_LOCATIONS = 200

_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_OUTWARD_CODE = re.compile(r"[A-Z]{1,2}[0-9][0-9A-Z]?")
_email = EmailValidator()


class FeedError(Exception):
    """The feed as a whole cannot be read: nothing of it is imported."""


class RecordError(Exception):
    """One service record is malformed: it is skipped and reported."""


@dataclass(frozen=True)
class Term:
    """A taxonomy term a service is classified by, as the feed names it."""

    id: str
    name: str
    vocabulary: str

    def as_json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "vocabulary": self.vocabulary}


@dataclass(frozen=True)
class Place:
    """Where a service is delivered: a location of the feed, with its first address."""

    name: str
    address: str
    postcode: str
    latitude: Decimal | None
    longitude: Decimal | None


@dataclass(frozen=True)
class ServiceRecord:
    """One valid service of the feed, reduced to what signposting shows."""

    source_id: str
    name: str
    description: str
    organisation_name: str
    url: str
    email: str
    phone: str
    status: str
    minimum_age: int | None
    maximum_age: int | None
    last_modified: datetime | None
    opening_times: str
    terms: tuple[Term, ...]
    places: tuple[Place, ...]


@dataclass(frozen=True)
class Skipped:
    """A record left out, with what was wrong, in words a directory officer can act on."""

    record: str  # "Record 7 (id abc)" or "Record 7"
    message: str
    source_id: str = ""

    def as_json(self) -> dict[str, str]:
        return {"record": self.record, "message": self.message}


@dataclass(frozen=True)
class Page:
    """One page of a feed: its service records and where it sits among the pages."""

    records: list[Any]
    envelope: Literal["v3", "v1", "list"]
    page_number: int | None = None
    total_pages: int | None = None
    last: bool | None = None


# --- Pages --------------------------------------------------------------------------------------


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def read_page(data: Any) -> Page:
    """The records of one page, whichever envelope it came in."""
    if isinstance(data, list):
        return Page(records=data, envelope="list")
    if not isinstance(data, dict):
        raise FeedError("The feed is not a list of services or a page of them.")
    if isinstance(data.get("contents"), list):
        return Page(
            records=data["contents"],
            envelope="v3",
            page_number=_int_or_none(data.get("page_number")),
            total_pages=_int_or_none(data.get("total_pages")),
            last=data["last_page"] if isinstance(data.get("last_page"), bool) else None,
        )
    if isinstance(data.get("content"), list):
        return Page(
            records=data["content"],
            envelope="v1",
            page_number=_int_or_none(data.get("number")),
            total_pages=_int_or_none(data.get("totalPages")),
            last=data["last"] if isinstance(data.get("last"), bool) else None,
        )
    raise FeedError(
        "The feed is not an Open Referral UK services list: expected a page with "
        '"contents" (v3) or "content" (v1), or a list of services.'
    )


# --- Values -------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _paragraphs(value: Any, limit: int) -> str:
    """Free text that may carry HTML or Markdown: tags off, blank lines kept as paragraphs."""
    if not isinstance(value, str):
        return ""
    text = strip_tags(value.replace("<br>", "\n").replace("</p>", "\n\n"))
    paragraphs = (" ".join(part.split()) for part in re.split(r"\n\s*\n", text))
    return "\n\n".join(p for p in paragraphs if p)[:limit]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def web_address(value: Any) -> str:
    """A web address people can follow, or "" when it is not http(s) (never javascript:)."""
    text = _text(value)
    if not text:
        return ""
    if not re.match(r"[a-z][a-z0-9+.-]*://", text, re.IGNORECASE) and "." in text.split("/")[0]:
        text = f"https://{text}"  # "www.example.org" is how many directories write it
    if len(text) > URL_LENGTH or not _URL.fullmatch(text):
        return ""
    return text


def email_address(value: Any) -> str:
    text = _text(value)
    if not text or len(text) > EMAIL_LENGTH:
        return ""
    try:
        _email(text)
    except ValidationError:
        return ""
    return text


def _dicts(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, dict))


def _age(raw: dict[str, Any], key: str) -> int | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None or not math.isfinite(number) or number != int(number):
        raise RecordError(f"{key} must be a whole number of years, not {value!r}")
    if not 0 <= number <= MAX_AGE:
        raise RecordError(f"{key} must be from 0 to {MAX_AGE}, not {value!r}")
    return int(number)


def _last_modified(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = parse_datetime(value.strip())
    except ValueError:
        return None
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _coordinate(value: Any, name: str, bound: int) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RecordError(f"its {name} is not a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise RecordError(f"its {name} {value!r} is not a number") from None
    if not number.is_finite() or not -bound <= number <= bound:
        raise RecordError(f"its {name} {value} is out of range (-{bound} to {bound})")
    return number.quantize(Decimal("0.000001"))


def coordinates(lat: Any, lon: Any) -> tuple[Decimal | None, Decimal | None]:
    """A location's latitude and longitude, checked; (None, None) when the feed gives none.
    Both zero is how many systems write "unknown", so it is read as unknown too."""
    latitude = _coordinate(lat, "latitude", 90)
    longitude = _coordinate(lon, "longitude", 180)
    if (latitude is None) != (longitude is None):
        raise RecordError("it has a latitude or a longitude, but not both")
    if latitude == 0 and longitude == 0:
        return None, None
    return latitude, longitude


def _address(location: dict[str, Any]) -> tuple[str, str]:
    """The first address of a location, on one line, and its postcode (normalised if valid)."""
    for address in (
        *_dicts(location.get("addresses")),
        *_dicts(location.get("physical_addresses")),
    ):
        parts = [
            _text(address.get(key))
            for key in ("address_1", "address_2", "city", "region", "state_province")
        ]
        raw_postcode = _text(address.get("postal_code"))
        postcode = normalise_postcode(raw_postcode) if postcode_is_valid(raw_postcode) else ""
        line = ", ".join(dict.fromkeys(part for part in parts if part))
        if postcode or raw_postcode:
            line = f"{line}, {postcode or raw_postcode}" if line else postcode or raw_postcode
        return _clip(line, ADDRESS_LENGTH), postcode
    return "", ""


def _places(raw: dict[str, Any]) -> tuple[Place, ...]:
    locations: list[dict[str, Any]] = []
    for link in _dicts(raw.get("service_at_locations")):
        if isinstance(link.get("location"), dict):
            locations.append(link["location"])
    locations.extend(_dicts(raw.get("locations")))
    if len(locations) > MAX_LOCATIONS:
        raise RecordError(f"it has {len(locations)} locations, more than {MAX_LOCATIONS}")
    places = []
    for number, location in enumerate(locations, start=1):
        try:
            latitude, longitude = coordinates(location.get("latitude"), location.get("longitude"))
        except RecordError as error:
            raise RecordError(f"location {number}: {error}") from None
        address, postcode = _address(location)
        places.append(
            Place(
                name=_clip(_text(location.get("name")), NAME_LENGTH),
                address=address,
                postcode=postcode,
                latitude=latitude,
                longitude=longitude,
            )
        )
    return tuple(places)


def _vocabulary(term: dict[str, Any]) -> str:
    for key in ("taxonomy", "taxonomy_detail"):
        value = term.get(key)
        if isinstance(value, str) and value.strip():
            return _clip(_text(value), VOCABULARY_LENGTH)
        if isinstance(value, dict) and _text(value.get("name")):
            return _clip(_text(value.get("name")), VOCABULARY_LENGTH)
    for key in ("vocabulary", "taxonomy_id"):
        if _text(term.get(key)):
            return _clip(_text(term.get(key)), VOCABULARY_LENGTH)
    return ""


def _term(raw: dict[str, Any]) -> Term | None:
    term_id = _text(raw.get("id")) or _text(raw.get("code"))
    if not term_id or len(term_id) > ID_LENGTH:
        return None
    name = _text(raw.get("term")) or _text(raw.get("name")) or _text(raw.get("code")) or term_id
    return Term(id=term_id, name=_clip(name, TERM_LENGTH), vocabulary=_vocabulary(raw))


def _terms(raw: dict[str, Any]) -> tuple[Term, ...]:
    found: list[dict[str, Any]] = list(_dicts(raw.get("taxonomy_terms")))
    found += [
        a["taxonomy_term"]
        for a in _dicts(raw.get("attributes"))
        if isinstance(a.get("taxonomy_term"), dict)
    ]
    found += [
        link["taxonomy"]
        for link in _dicts(raw.get("service_taxonomys"))
        if isinstance(link.get("taxonomy"), dict)
    ]
    terms: dict[tuple[str, str], Term] = {}
    for candidate in found:
        term = _term(candidate)
        if term is not None:
            terms.setdefault((term.vocabulary, term.id), term)
    return tuple(terms.values())


def _phone(raw: dict[str, Any]) -> str:
    holders: list[dict[str, Any]] = [raw, *_dicts(raw.get("contacts"))]
    for link in _dicts(raw.get("service_at_locations")):
        if isinstance(link.get("location"), dict):
            holders.append(link["location"])
    if isinstance(raw.get("organization"), dict):
        holders.append(raw["organization"])
    for holder in holders:
        for phone in _dicts(holder.get("phones")):
            number = _text(phone.get("number"))
            if number and len(number) <= PHONE_LENGTH:
                return number
    return ""


def _opening_times(raw: dict[str, Any]) -> str:
    descriptions = [_text(s.get("description")) for s in _dicts(raw.get("schedules"))]
    if not any(descriptions):
        descriptions = [_text(s.get("description")) for s in _dicts(raw.get("regular_schedules"))]
    return _clip(" ".join(d for d in dict.fromkeys(descriptions) if d), OPENING_TIMES_LENGTH)


# --- Records ------------------------------------------------------------------------------------


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a piece of text"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "null"
    return "something else"


def parse_service(raw: Any) -> ServiceRecord:
    """One service of the feed, checked; RecordError says what is wrong with it."""
    if not isinstance(raw, dict):
        raise RecordError(f"it is not a service object (found {_kind(raw)})")
    source_id = _text(raw.get("id"))
    if not source_id:
        raise RecordError("it has no id")
    if len(source_id) > ID_LENGTH:
        raise RecordError(f"its id is longer than {ID_LENGTH} characters")
    name = _text(raw.get("name"))
    if not name:
        raise RecordError("it has no name")
    if len(name) > NAME_LENGTH:
        raise RecordError(f"its name is longer than {NAME_LENGTH} characters")
    status = _text(raw.get("status")).lower()
    if not status:
        raise RecordError("it has no status")
    if status not in ServiceStatus.values:
        allowed = ", ".join(ServiceStatus.values)
        raise RecordError(f"its status {raw.get('status')!r} is not one of: {allowed}")
    minimum_age, maximum_age = _age(raw, "minimum_age"), _age(raw, "maximum_age")
    if minimum_age is not None and maximum_age is not None and minimum_age > maximum_age:
        raise RecordError(f"its minimum_age {minimum_age} is above its maximum_age {maximum_age}")
    found = raw.get("organization")
    organisation: dict[str, Any] = found if isinstance(found, dict) else {}
    return ServiceRecord(
        source_id=source_id,
        name=name,
        description=_paragraphs(raw.get("description"), DESCRIPTION_LENGTH),
        organisation_name=_clip(_text(organisation.get("name")), ORGANISATION_LENGTH),
        url=web_address(raw.get("url")) or web_address(organisation.get("website")),
        email=email_address(raw.get("email")) or email_address(organisation.get("email")),
        phone=_phone(raw),
        status=status,
        minimum_age=minimum_age,
        maximum_age=maximum_age,
        last_modified=_last_modified(raw.get("last_modified")),
        opening_times=_opening_times(raw),
        terms=_terms(raw),
        places=_places(raw),
    )


def _label(index: int, raw: Any) -> tuple[str, str]:
    source_id = _text(raw.get("id")) if isinstance(raw, dict) else ""
    if source_id and len(source_id) <= ID_LENGTH:
        return f"Record {index} (id {source_id})", source_id
    return f"Record {index}", ""


def parse_services(
    records: Iterable[Any], *, start: int = 1
) -> tuple[list[ServiceRecord], list[Skipped]]:
    """The valid services of a feed and the records left out; records are numbered from
    `start` in feed order, across pages. A second record with an id already seen is left out."""
    valid: list[ServiceRecord] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    for index, raw in enumerate(records, start=start):
        label, source_id = _label(index, raw)
        try:
            service = parse_service(raw)
        except RecordError as error:
            skipped.append(Skipped(label, f"Left out: {error}.", source_id))
            continue
        if service.source_id in seen:
            skipped.append(Skipped(label, "Left out: another record has the same id.", ""))
            continue
        seen.add(service.source_id)
        valid.append(service)
    return valid, skipped


# --- Mapping and distance -----------------------------------------------------------------------

TermKey = tuple[str, str]  # (vocabulary, term id)


def outcomes_for(terms: Iterable[dict[str, Any]], mapping: dict[TermKey, str]) -> list[str]:
    """The needs a service meets: those its taxonomy terms are mapped to, in SignpostNeed order."""
    found = {
        mapping[key]
        for term in terms
        if (key := (str(term.get("vocabulary", "")), str(term.get("id", "")))) in mapping
    }
    return [need for need in NEEDS if need in found]


EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG)
KM_PER_MILE = 1.609344


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two points in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def miles(km: float) -> str:
    """A distance as the public pages say it: "0.4 miles", "1.2 miles", "12 miles"."""
    value = km / KM_PER_MILE
    if value < 0.1:
        return "less than 0.1 miles"
    if value >= 10:
        return f"{value:.0f} miles"
    return f"{value:.1f} miles" if f"{value:.1f}" != "1.0" else "1 mile"


def outward_codes(value: str) -> list[str]:
    """Outward codes typed with spaces or commas, upper-cased, each once, in order."""
    return list(dict.fromkeys(value.replace(",", " ").upper().split()))


def invalid_outward_codes(codes: Iterable[str]) -> list[str]:
    return [code for code in codes if not _OUTWARD_CODE.fullmatch(code)]


def outward_code(postcode: str) -> str:
    """The outward code of a valid postcode ("AB1 2CD" → "AB1"); "" for anything else."""
    if not postcode_is_valid(postcode):
        return ""
    return normalise_postcode(postcode).split()[0]
