"""A council's case-management system as the simulator plays it: the referral feed Carebridge
polls and the updates Carebridge sends back, exactly as docs/decisions/0013-integrations.md
describes the wire protocol.

    peer = CaseManagement(api_key="k", signing_secret="s")
    with Simulator(peer) as sim:               # CaseSystem.base_url = f"{sim.url}/case-management"
        peer.add_referral(peer.referral_body(provider_id=..., district="Newark and Sherwood"))
        ... Carebridge polls, answers, sends updates ...
        peer.updates_for("CM-000001")           # what the system took, in order

`GET /referrals?after=<checkpoint>&limit=<n>` serves the feed from the checkpoint (the index of
the next item, as text); `POST /referrals/<external_id>/updates` takes an update once, in
sequence, signed when the peer has a signing secret. Everything the tests read (`feed`,
`updates`, `duplicate_posts`, `out_of_order`, `bad_signatures`) changes under the simulator's
lock.
"""

from __future__ import annotations

import copy
import hmac
import json
import re
import secrets
import time
from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

from carebridge.core.calendar import today
from carebridge.integrations.crm import signature
from carebridge.integrations.simulator.server import Peer, Reply, Request

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
SCHEMA = "carebridge.referral-update"
EVENTS = frozenset(
    {"acknowledged", "accepted", "refused", "delayed", "failed", "updated", "actuals", "withdrawn"}
)
UPDATES_PATH = re.compile(r"^/referrals/(?P<external_id>[^/]+)/updates/?$")
# The checkpoint: the index of the next item, after an optional run name ("<run>:<index>").
CHECKPOINT = re.compile(r"^(?:(?P<run>[A-Za-z0-9_-]{1,40}):)?(?P<index>\d{1,9})$")

# Names for the people of generated referrals: plain, so a demo reads like a real list.
FIRST_NAMES = ("Maisy", "Arthur", "Edith", "Harold", "Joan", "Leonard", "Winifred", "Stanley")
TITLES = ("Mrs", "Mr", "Miss", "Mr", "Mrs", "Mr", "Ms", "Mr")
LAST_NAMES = ("Goddard", "Ashworth", "Pickering", "Holloway", "Fairclough", "Dunmore", "Whitlow")
STREETS = ("Mill Lane", "Church Street", "Station Road", "Orchard Close", "Victoria Terrace")
HOSPITALS = (
    ("General Hospital", "Ward 12"),
    ("Community Hospital", "Ward B3"),
    ("Royal Infirmary", "Fosse Ward"),
)


class CaseManagement(Peer):
    """The feed of referrals and the updates taken, with what went wrong on the way counted."""

    prefix = "/case-management"

    def __init__(self, api_key: str = "simulator-key", signing_secret: str = "") -> None:
        super().__init__()
        self.api_key = api_key
        self.signing_secret = signing_secret
        # A name for this run of the feed, put in front of every checkpoint when set (the
        # `simulator` command sets it): a checkpoint from another run is read as the start,
        # because a restarted simulator's feed starts again empty.
        self.run = ""
        self.feed: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.duplicate_posts = 0
        self.out_of_order: list[tuple[str, int, int]] = []
        self.bad_signatures = 0
        self._known: set[str] = set()
        self._keys: set[str] = set()
        self._last_sequence: dict[str, int] = {}
        # Items the duplicate fault has chosen to serve once more, on a later page.
        self._reserve: list[dict[str, Any]] = []
        self._numbered = 0
        self._made = 0

    # --- What the tests and the command use ---------------------------------------------------

    def referral_body(
        self,
        *,
        provider_id: int,
        district: str,
        external_id: str | None = None,
        ss_ref: str | None = None,
        **overrides: Any,
    ) -> dict[str, Any]:
        """A body the push API takes, for a new person (a fresh SS Ref) unless `ss_ref` names
        one the council already has; `overrides` replace its fields."""
        with self._guard():
            self._made += 1
            made = self._made
        on = today()
        person = _new_person(made) if ss_ref is None else {"ss_ref": ss_ref}
        hospital, ward = HOSPITALS[made % len(HOSPITALS)]
        body: dict[str, Any] = {
            "provider": provider_id,
            "district": district,
            "service_user": person,
            "source": "hospital",
            "hospital": hospital,
            "ward": ward,
            "discharge_date": on.isoformat(),
            "requested_start_date": (on + timedelta(days=1)).isoformat(),
            "next_of_kin_name": "Pat Example",
            "next_of_kin_relationship": "Daughter",
            "next_of_kin_phone": "07700 900123",
            "consent_to_share": True,
            "health_needs": "Type 2 diabetes; a fall at home last month.",
            "support_summary": "Help to wash, dress and prepare meals.",
            "carers_required": 1 + made % 2,
            "visits_per_day": 2 + made % 3,
            "worker_name": "Sam Broker",
            "worker_team": "Hospital discharge team",
            "completed_on": on.isoformat(),
            # The simulator does not know the district's postcodes: the sender has checked.
            "confirm_postcode": True,
        }
        if external_id is not None:
            body["external_id"] = external_id
        body.update(overrides)
        return body

    def add_referral(self, body: dict[str, Any]) -> str:
        """Put a referral at the end of the feed, numbering it "CM-000001"… when it has no
        `external_id`; the same id added twice is served twice (a duplicate). Its id."""
        with self._guard():
            item = copy.deepcopy(body)
            if not item.get("external_id"):
                self._numbered += 1
                prefix = f"CM-{self.run}-" if self.run else "CM-"
                item["external_id"] = f"{prefix}{self._numbered:06d}"
            external_id = str(item["external_id"])
            self.feed.append(item)
            self._known.add(external_id)
            return external_id

    def updates_for(self, external_id: str) -> list[dict[str, Any]]:
        with self._guard():
            return [u for u in self.updates if u["external_id"] == external_id]

    def _guard(self) -> AbstractContextManager[Any]:
        # A test may fill the feed before mounting the peer: there is no other thread yet.
        return self.lock if self.sim is not None else nullcontext()

    # --- The wire ---------------------------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        if request.path.rstrip("/") == "/referrals":
            if request.method != "GET":
                return Reply(405, {"error": "method_not_allowed"}, {"Allow": "GET"})
            return self._refused(request) or self._page(request)
        match = UPDATES_PATH.match(request.path)
        if match is not None:
            if request.method != "POST":
                return Reply(405, {"error": "method_not_allowed"}, {"Allow": "POST"})
            return self._refused(request) or self._update(request, unquote(match["external_id"]))
        return Reply(404, {"error": "not_found", "path": request.path})

    def _refused(self, request: Request) -> Reply | None:
        """401 unless the request carries the API key (any request will do when it is blank)."""
        if not self.api_key:
            return None
        given = request.headers.get("authorization", "")
        expected = f"Bearer {self.api_key}"
        if hmac.compare_digest(given.encode(), expected.encode()):
            return None
        return Reply(401, {"error": "unauthorised"}, {"WWW-Authenticate": "Bearer"})

    def _page(self, request: Request) -> Reply:
        limit_text = request.param("limit", str(DEFAULT_LIMIT))
        if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_LIMIT:
            return Reply(400, {"error": "bad_limit", "detail": f"1 to {MAX_LIMIT}"})
        limit = int(limit_text)
        with self.lock:
            start = self._start(request.param("after"))
            if start is None:
                return Reply(400, {"error": "bad_checkpoint", "after": request.param("after")})
            fresh = self.feed[start : start + limit]
            # What the duplicate fault kept back rides on this page, before the new items.
            again, self._reserve = self._reserve, []
            items = [copy.deepcopy(item) for item in [*again, *fresh]]
            for item in fresh:
                if self.faults.chance(self.faults.duplicate_rate):
                    self._reserve.append(item)
            if self.faults.out_of_order:
                self.faults.shuffle(items)
            end = start + len(fresh)
            return Reply(
                200,
                {"items": items, "next": self._checkpoint(end), "more": end < len(self.feed)},
            )

    def _start(self, after: str) -> int | None:
        """Where a page starts: the checkpoint's index, the start for none (or another run's),
        None for text that is not a checkpoint of this feed."""
        if not after:
            return 0
        match = CHECKPOINT.match(after)
        if match is None:
            return None
        if (match["run"] or "") != self.run:
            return 0
        index = int(match["index"])
        return index if index <= len(self.feed) else None

    def _checkpoint(self, index: int) -> str:
        return f"{self.run}:{index}" if self.run else str(index)

    def _update(self, request: Request, external_id: str) -> Reply:
        key = request.headers.get("idempotency-key", "").strip()
        if not key:
            return Reply(400, {"error": "idempotency_key_required"})
        if self.signing_secret:
            given = request.headers.get("x-carebridge-signature", "")
            expected = signature(self.signing_secret, request.body)
            if not hmac.compare_digest(given.encode(), expected.encode()):
                with self.lock:
                    self.bad_signatures += 1
                return Reply(401, {"error": "bad_signature"})
        with self.lock:
            if external_id not in self._known:
                return Reply(404, {"error": "unknown_referral", "external_id": external_id})
            body, problem = _update_body(request, external_id)
            if problem:
                return Reply(400, {"error": "bad_body", "detail": problem})
            if key in self._keys:
                self.duplicate_posts += 1
                return Reply(409, {"error": "duplicate", "key": key})
            sequence = body["sequence"]
            expected_sequence = self._last_sequence.get(external_id, 0) + 1
            if sequence != expected_sequence:
                self.out_of_order.append((external_id, expected_sequence, sequence))
                return Reply(409, {"error": "out_of_order", "expected": expected_sequence})
            self._keys.add(key)
            self._last_sequence[external_id] = sequence
            self.updates.append(
                {
                    "key": key,
                    "external_id": external_id,
                    "event": body["event"],
                    "sequence": sequence,
                    "body": body,
                    "received_at": time.monotonic(),
                }
            )
            return Reply(201, {"id": f"UPD-{len(self.updates):06d}"})


def _update_body(request: Request, external_id: str) -> tuple[dict[str, Any], str]:
    """The update's body, or what is wrong with it (as a real system would refuse it)."""
    try:
        body = request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}, "the body is not JSON"
    if not isinstance(body, dict):
        return {}, "the body is not a JSON object"
    if body.get("schema") != SCHEMA or body.get("schema_version") != 1:
        return {}, f"schema must be {SCHEMA}, version 1"
    event = body.get("event")
    if event not in EVENTS:
        return {}, f"unknown event {event!r}"
    header_event = request.headers.get("x-carebridge-event")
    if header_event is not None and header_event != event:
        return {}, "X-Carebridge-Event differs from the body's event"
    sequence = body.get("sequence")
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1:
        return {}, "sequence must be a whole number from 1"
    referral = body.get("referral")
    if not isinstance(referral, dict) or referral.get("external_id") != external_id:
        return {}, "referral.external_id must be the referral of the address"
    if not isinstance(body.get("at"), str) or not isinstance(body.get("details", {}), dict):
        return {}, "at must be a time and details an object"
    return body, ""


def _new_person(made: int) -> dict[str, Any]:
    """A new person's details: every field the council's form needs, a fresh SS Ref."""
    on = today()
    return {
        # Random, so a restarted simulator never offers an SS Ref the council already has.
        "ss_ref": f"SIM{secrets.token_hex(5).upper()}",
        "title": TITLES[made % len(FIRST_NAMES)],
        "first_name": FIRST_NAMES[made % len(FIRST_NAMES)],
        "last_name": LAST_NAMES[made % len(LAST_NAMES)],
        "date_of_birth": on.replace(year=on.year - 78 - made % 15, day=1).isoformat(),
        "address_line_1": f"{1 + made % 90} {STREETS[made % len(STREETS)]}",
        "postcode": "NG24 1AA",
    }
