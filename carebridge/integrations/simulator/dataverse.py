"""A Dynamics 365 (Dataverse) environment and its sign-in, as far as the Dataverse adapter
(`integrations/dataverse.py`) uses them, speaking the same shapes as the real ones:

    POST  /dataverse/token                            OAuth 2.0 client credentials (a form)
    GET   /dataverse/api/data/v9.2/<set>?$filter=…    {"value": [...]}: `eq` clauses joined by
                                                      `and`, with $select and $top
    POST  /dataverse/api/data/v9.2/<set>              201 with the record (Prefer:
                                                      return=representation), else 204 and
                                                      OData-EntityId
    PATCH /dataverse/api/data/v9.2/<set>(<guid>)      an update; with If-Match: * a missing
                                                      record is 404, without it one is made
                                                      (Dataverse's upsert)

for the sets `contacts`, `incidents` and `tasks`. Lookups are set with `<name>@odata.bind`
("/contacts(<guid>)") and read back as `_<name>_value`, as Dataverse does. Errors answer
`{"error": {"code", "message"}}`; a missing or expired bearer token answers 401. Records are
kept in memory (`.contacts`, `.incidents`, `.tasks`, by id) for the tests to read; `replies`
queues answers given instead of the next API calls (a 429 with Retry-After, say), and the
simulator's faults apply to every request.
"""

from __future__ import annotations

import re
import secrets
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from carebridge.integrations.simulator.server import Peer, Reply, Request

API = "/api/data/v9.2/"
_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_ENTITY = re.compile(rf"(?P<set>[a-z]+)(?:\((?P<id>{_GUID})\))?")
# One `name eq value` clause of a $filter, and the `and` after it unless it is the last.
_CLAUSE = re.compile(
    r"(?P<name>[A-Za-z_][A-Za-z0-9_]*) eq (?P<value>'(?:[^']|'')*'|[^\s']+)(?: and (?=.)|$)"
)

# What each set keeps: its id's name, its columns with their maximum lengths (0: not text), the
# lookups it binds ("name": the sets it may point to) and the columns it must have.
SCHEMAS: dict[str, dict[str, Any]] = {
    "contacts": {
        "id": "contactid",
        "columns": {
            "firstname": 50,
            "lastname": 50,
            "birthdate": 0,
            "emailaddress1": 100,
            "telephone1": 50,
            "address1_postalcode": 20,
            "description": 2000,
        },
        "lookups": {},
        "required": ("lastname",),
    },
    "incidents": {
        "id": "incidentid",
        "columns": {"title": 200, "description": 2000, "prioritycode": 0, "caseorigincode": 0},
        "lookups": {"customerid_contact": ("contacts", "customerid")},
        "required": ("title", "_customerid_value"),
    },
    "tasks": {
        "id": "activityid",
        "columns": {"subject": 200, "description": 2000, "prioritycode": 0, "scheduledend": 0},
        "lookups": {
            "regardingobjectid_incident": ("incidents", "regardingobjectid"),
            "ownerid": ("teams", "ownerid"),
        },
        "required": ("subject",),
    },
}


def _error(status: int, code: str, message: str) -> Reply:
    return Reply(status, {"error": {"code": code, "message": message}})


class Dataverse(Peer):
    """One environment with one application user (its client id and secret)."""

    prefix = "/dataverse"

    def __init__(
        self,
        *,
        client_id: str = "carebridge-app",
        client_secret: str = "a-client-secret-from-entra",  # noqa: S107 (made up, for tests)
        token_lifetime: int = 3599,
    ) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_lifetime = token_lifetime
        self.contacts: dict[str, dict[str, Any]] = {}
        self.incidents: dict[str, dict[str, Any]] = {}
        self.tasks: dict[str, dict[str, Any]] = {}
        # The teams records may be owned by; a task bound to another is refused.
        self.teams: set[str] = set()
        self.application_user = str(uuid.uuid4())
        self.tokens: dict[str, float] = {}  # token: when it expires (time.monotonic)
        self.token_requests = 0
        # Every API call (not the sign-in): (method, path with query, lower-case headers).
        self.calls: list[tuple[str, str, dict[str, str]]] = []
        # Answers given instead of handling the next API calls, in turn.
        self.replies: list[Reply] = []
        self._tickets = 1000

    def handle(self, request: Request) -> Reply:
        if request.path == "/token":
            if request.method != "POST":
                return Reply(405, {"error": "invalid_request"})
            return self._token(request)
        if not request.path.startswith(API):
            return _error(404, "0x8006088a", f"Resource not found for the segment '{request.path}'")
        with self.lock:
            query = "&".join(f"{k}={v[0]}" for k, v in request.query.items())
            self.calls.append((request.method, f"{request.path}?{query}", request.headers))
            if not self._signed_in(request):
                return Reply(401, None, {"WWW-Authenticate": 'Bearer error="invalid_token"'})
            if self.replies:
                return self.replies.pop(0)
            return self._api(request, request.path[len(API) :])

    def sets(self) -> dict[str, dict[str, dict[str, Any]]]:
        return {"contacts": self.contacts, "incidents": self.incidents, "tasks": self.tasks}

    def expire_tokens(self) -> None:
        """Every token issued so far is refused from now on, as after a key rotation."""
        with self.lock:
            self.tokens.clear()

    # --- Sign-in ------------------------------------------------------------------------

    def _token(self, request: Request) -> Reply:
        form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
        with self.lock:
            self.token_requests += 1
            if form.get("grant_type") != "client_credentials":
                return Reply(400, {"error": "unsupported_grant_type"})
            if (
                form.get("client_id") != self.client_id
                or form.get("client_secret") != self.client_secret
            ):
                return Reply(
                    401,
                    {
                        "error": "invalid_client",
                        "error_description": "AADSTS7000215: Invalid client secret provided.",
                    },
                )
            expected = f"{self._environment()}/.default"
            if form.get("scope") != expected:
                return Reply(
                    400,
                    {
                        "error": "invalid_scope",
                        "error_description": f"AADSTS70011: The scope must be {expected}.",
                    },
                )
            token = secrets.token_urlsafe(32)
            self.tokens[token] = time.monotonic() + self.token_lifetime
        return Reply(
            200,
            {"token_type": "Bearer", "expires_in": self.token_lifetime, "access_token": token},
        )

    def _environment(self) -> str:
        assert self.sim is not None
        return f"{self.sim.url}{self.prefix}"

    def _signed_in(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        expires = self.tokens.get(token)
        return scheme == "Bearer" and expires is not None and expires > time.monotonic()

    # --- The Web API --------------------------------------------------------------------

    def _api(self, request: Request, path: str) -> Reply:
        if (
            request.headers.get("odata-version") != "4.0"
            or request.headers.get("odata-maxversion") != "4.0"
        ):
            return _error(400, "0x80048d19", "OData-Version and OData-MaxVersion must be 4.0")
        match = _ENTITY.fullmatch(path)
        if match is None or match["set"] not in SCHEMAS:
            return _error(404, "0x8006088a", f"Resource not found for the segment '{path}'")
        name, guid = match["set"], match["id"]
        if request.method == "GET" and guid is None:
            return self._list(name, request)
        if request.method == "POST" and guid is None:
            return self._write(name, str(uuid.uuid4()), request, new=True)
        if request.method == "PATCH" and guid is not None:
            guid = guid.lower()
            exists = guid in self.sets()[name]
            if not exists and request.headers.get("if-match") == "*":
                return _error(404, "0x80040217", f"{name} With Id = {guid} Does Not Exist")
            return self._write(name, guid, request, new=not exists)
        return _error(405, "0x80060888", f"{request.method} is not supported here")

    def _list(self, name: str, request: Request) -> Reply:
        try:
            clauses = _clauses(request.param("$filter"))
        except ValueError as error:
            return _error(400, "0x80060888", str(error))
        found = [
            record
            for record in self.sets()[name].values()
            if all(_text(record.get(column)) == value for column, value in clauses)
        ]
        top = request.param("$top")
        if top:
            if not top.isdigit():
                return _error(400, "0x80060888", f"$top must be a whole number, not '{top}'")
            found = found[: int(top)]
        select = [c for c in request.param("$select").split(",") if c]
        if select:
            keep = {*select, SCHEMAS[name]["id"]}
            found = [{k: v for k, v in record.items() if k in keep} for record in found]
        return Reply(200, {"@odata.context": f"$metadata#{name}", "value": found})

    def _write(self, name: str, guid: str, request: Request, *, new: bool) -> Reply:
        schema = SCHEMAS[name]
        try:
            body = request.json()
        except ValueError:
            return _error(400, "0x80048d19", "The request body is not valid JSON")
        if not isinstance(body, dict):
            return _error(400, "0x80048d19", "The request body must be an object")
        try:
            changes = self._changes(schema, body)
        except ValueError as error:
            return _error(400, "0x80048d19", str(error))
        records = self.sets()[name]
        record = dict(records.get(guid) or {schema["id"]: guid})
        record.update(changes)
        missing = [column for column in schema["required"] if not record.get(column)]
        if missing:
            return _error(400, "0x80040200", f"Required field '{missing[0].strip('_')}' is missing")
        moment = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if new:
            record["createdon"] = moment
            if name == "incidents":
                self._tickets += 1
                record["ticketnumber"] = f"CAS-{self._tickets:05d}-SIM"
            if "ownerid" in schema["lookups"] and "_ownerid_value" not in record:
                # Not given to a team: owned by the application user that made it.
                record["_ownerid_value"] = self.application_user
        record["modifiedon"] = moment
        records[guid] = record
        if "return=representation" in request.headers.get("prefer", ""):
            return Reply(201 if new else 200, record)
        return Reply(204, None, {"OData-EntityId": f"{self._environment()}{API}{name}({guid})"})

    def _changes(self, schema: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        """The record's new values, checked as Dataverse checks them."""
        changes: dict[str, Any] = {}
        for key, value in body.items():
            if key.endswith("@odata.bind"):
                lookup = key.removesuffix("@odata.bind")
                if lookup not in schema["lookups"]:
                    raise ValueError(f"An undeclared property '{lookup}' was found in the payload")
                target, column = schema["lookups"][lookup]
                changes[f"_{column}_value"] = self._bound(target, value)
                continue
            if key not in schema["columns"]:
                raise ValueError(f"An undeclared property '{key}' was found in the payload")
            limit = schema["columns"][key]
            if limit and (not isinstance(value, str) or len(value) > limit):
                raise ValueError(f"'{key}' must be text of at most {limit} characters")
            changes[key] = value
        return changes

    def _bound(self, target: str, value: Any) -> str:
        match = re.search(rf"/?{target}\(({_GUID})\)$", value if isinstance(value, str) else "")
        if match is None:
            raise ValueError(f"'{value}' is not a reference to a record of {target}")
        guid = match[1].lower()
        known = self.teams if target == "teams" else self.sets()[target]
        if guid not in known:
            raise ValueError(f"{target} With Id = {guid} Does Not Exist")
        return guid


def _clauses(expression: str) -> list[tuple[str, str]]:
    """`name eq value and …` as (column, value as text) pairs: all this simulator reads."""
    clauses = []
    at = 0
    while at < len(expression):
        match = _CLAUSE.match(expression, at)
        if match is None:
            raise ValueError(f"The $filter '{expression}' is not supported")
        value = match["value"]
        if value.startswith("'"):
            value = value[1:-1].replace("''", "'")
        clauses.append((match["name"], value))
        at = match.end()
    return clauses


def _text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
