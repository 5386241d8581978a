"""Pushing front-door requests into a council's Dynamics 365 (Dataverse): the person becomes a
contact, the request a case, and the team is alerted with a task, as Telford's guide describes
("creating a new customer record and alerting the team"). Used in place of the CRM webhook for
a council with an enabled `DataverseConnection`; it takes the same payload (schema in
`integrations/crm.py`, built by `frontdoor/requests/crm.py`) and is tried again by the same
outbox (`CrmPushError.retryable`).

The Web API shapes used, and nothing else (Dataverse Web API v9.2, OData 4.0):

    POST <token_url>                       form: grant_type=client_credentials, client_id,
                                           client_secret, scope=<environment_url>/.default;
                                           answers {"access_token", "expires_in", ...}
    GET  incidents?$filter=title eq '<title>'&$select=incidentid,_customerid_value&$top=1
    GET  contacts?$filter=emailaddress1 eq '<e-mail>'&$select=contactid&$top=1
    GET  contacts?$filter=firstname eq '<first>' and lastname eq '<last>' and
         birthdate eq <YYYY-MM-DD>&$select=contactid&$top=1
    GET  tasks?$filter=_regardingobjectid_value eq <case id>&$select=activityid&$top=1
    POST contacts         {firstname, lastname, birthdate, emailaddress1, telephone1,
                           address1_postalcode}
    PATCH contacts(<id>)  the same columns, only those with a value (If-Match: *)
    POST incidents        {title, description, prioritycode, caseorigincode,
                           "customerid_contact@odata.bind": "/contacts(<id>)"}
    PATCH incidents(<id>) {description, prioritycode} (If-Match: *)
    POST tasks            {subject, description, prioritycode,
                           "regardingobjectid_incident@odata.bind": "/incidents(<id>)",
                           "ownerid@odata.bind": "/teams(<team id>)" when the team is set}

Every call carries `Authorization: Bearer <token>`, `OData-MaxVersion: 4.0`, `OData-Version:
4.0` and JSON; writes carry `Prefer: return=representation` (the record comes back, with its
id) and `MSCRM.SuppressDuplicateDetection: true`: this adapter matches the contact itself (by
e-mail, or by name and date of birth) and the case by our reference, and the council's own
duplicate rules would otherwise refuse, for good, a request that must arrive. PATCH carries
`If-Match: *` so a record deleted in Dataverse is never made again by an update (a PATCH is an
upsert without it).

A push is made harmless to repeat by looking before writing, since Dataverse takes no
idempotency key: the case is found by its title, which holds our reference ("Front-door request
FD-…"; `ticketnumber` is Dataverse's own and read-only), its contact is the case's customer,
and the team is alerted once per case (a task regarding the case exists already). Every push
updates the contact and the case's description (status, route, the latest decision and its
reason, the answers), so a decision pushed after the request keeps the case current.

The token is cached (Django's cache, per connection and secret) until shortly before it
expires; a 401 gets a new token once. 408, 429 (with its Retry-After, `DataverseBusy`), 5xx,
timeouts and failed connections are retryable; any other answer is final, with Dataverse's
own message (`{"error": {"code", "message"}}`). Every call goes through the address guard
(`core.outbound.open_url`).
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import Message
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

from carebridge.core.formats import guide_datetime
from carebridge.core.outbound import OutboundRefused, open_url, url_refusal
from carebridge.integrations.crm import CrmPushError, PushResult
from carebridge.integrations.models import DataverseConnection
from carebridge.integrations.oauth import TokenRefused, TokenUnusable, client_credentials_token

TIMEOUT_SECONDS = 10.0
USER_AGENT = "carebridge-dataverse/1"
API_PATH = "/api/data/v9.2/"
_MAX_ANSWER_BYTES = 1024 * 1024
_RETRYABLE_STATUSES = frozenset({408, 429})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
# Dataverse's priorities: a case's 1 is high and 2 normal; a task's 2 is high and 1 normal.
CASE_PRIORITY = {True: 1, False: 2}
TASK_PRIORITY = {True: 2, False: 1}
CASE_ORIGIN_WEB = 3
# The parts of a referral's address, in the order they are written.
_ADDRESS = ("line_1", "line_2", "town", "postcode")
# A token is used until this long before it expires (at most a fifth of its life).
TOKEN_MARGIN = timedelta(minutes=5)
# Retry-After is believed within these bounds.
RETRY_AFTER_MAX = timedelta(hours=1)


class DataverseBusy(CrmPushError):
    """429: Dataverse's service protection limits. `retry_after` is the wait it asked for, which
    the outbox should not undercut."""

    def __init__(self, message: str, *, retry_after: timedelta | None) -> None:
        super().__init__(message, retryable=True, status_code=429, retry_after=retry_after)


class _Missing(Exception):
    """A PATCH with If-Match: * found no record (deleted in Dataverse meanwhile)."""


@dataclass(frozen=True)
class _Answer:
    status: int
    body: bytes
    headers: Message


def _clean(value: Any, limit: int, *, lines: bool = False) -> str:
    """A value for Dataverse: text without control characters (on one line unless `lines`),
    at most `limit` characters."""
    text = value if isinstance(value, str) else "" if value is None else str(value)
    text = _CONTROL.sub("", text).strip() if lines else " ".join(_CONTROL.sub("", text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _literal(value: str) -> str:
    """An OData string literal."""
    return "'" + value.replace("'", "''") + "'"


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _label(value: Any) -> str:
    return _clean(_dict(value).get("label"), 200)


def _moment(value: Any) -> str:
    """An ISO 8601 moment of the payload, shown as the guides show times."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return ""
    return guide_datetime(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def _contact_columns(payload: dict[str, Any]) -> dict[str, str]:
    """The person's contact columns that have a value (an update never blanks one)."""
    person = _dict(payload.get("person"))
    name = _clean(person.get("name"), 200).split()
    columns = {
        "firstname": _clean(" ".join(name[:-1]), 50),
        "lastname": _clean(name[-1] if name else "", 50),
        "emailaddress1": _clean(person.get("email"), 100),
        "telephone1": _clean(person.get("phone"), 50),
        "address1_postalcode": _clean(person.get("postcode"), 20),
    }
    with contextlib.suppress(ValueError):  # no date of birth, or not a date: none is sent
        columns["birthdate"] = date.fromisoformat(str(person.get("date_of_birth"))).isoformat()
    return {column: value for column, value in columns.items() if value}


def case_title(reference: str) -> str:
    """The case's title, which holds our reference: how a repeat finds the case."""
    return f"Front-door request {reference}"


def _summary(payload: dict[str, Any]) -> list[str]:
    """Who, what and where it stands: the lines the case and the task both start with."""
    asked_by = _dict(payload.get("asked_by"))
    who = ", ".join(
        part
        for part in (
            _clean(asked_by.get("name"), 200),
            _clean(asked_by.get("type_label"), 200),
            _clean(asked_by.get("role"), 200),
            _clean(asked_by.get("organisation"), 200),
            _clean(asked_by.get("email"), 200),
            _clean(asked_by.get("phone"), 50),
        )
        if part
    )
    lines = [
        f"Front-door request {_clean(payload.get('reference'), 20)}, "
        f"sent {_moment(payload.get('submitted_at'))}.",
        f"Status: {_label(payload.get('status'))}. Route: {_label(payload.get('route'))}. "
        f"The tool found: {_label(payload.get('result'))}.",
    ]
    if payload.get("urgent") is True:
        lines.append("URGENT: the answers show a risk today.")
    lines.append(f"About: {_label(payload.get('about'))}. Asked by: {who or 'not given'}.")
    decision = _dict(payload.get("decision"))
    if decision:
        reason = _clean(decision.get("reason"), 1000)
        lines.append(
            f"Decision: {_label(decision.get('kind'))}, {_moment(decision.get('at'))}"
            + (f", by {_clean(decision.get('by'), 200)}" if decision.get("by") else "")
            + (f". Reason: {reason}" if reason else ".")
        )
    return lines


def _joined(*parts: str) -> str:
    return ", ".join(part for part in parts if part)


def _risk(risks: dict[str, Any], name: str, words: str) -> str:
    risk = _dict(risks.get(name))
    answer = _label(risk.get("answer")) or "not answered"
    details = _clean(risk.get("details"), 300)
    return f"{words} {answer}" + (f" ({details})" if details else "")


def _referral_lines(payload: dict[str, Any]) -> list[str]:
    """A professional's referral (the payload's `referral`, null on a resident's request): who
    referred and how to call them back, the NHS number, the risks and the basis for sharing
    first, since the description is cut at its end; each value cleaned and cut on its own."""
    referral = payload.get("referral")
    if not isinstance(referral, dict):
        return []
    asked_by = _dict(payload.get("asked_by"))
    nhs_number = _clean(referral.get("nhs_number"), 10)
    risks = _dict(referral.get("risks"))
    basis = _label(referral.get("sharing_basis")) or "not given"
    basis_reason = _clean(referral.get("sharing_basis_reason"), 300)
    address = _dict(referral.get("address"))
    lines = [
        "Referred by: "
        + _joined(
            _label(referral.get("professional_kind")),
            _clean(asked_by.get("name"), 200),
            _clean(asked_by.get("role"), 200),
            _clean(asked_by.get("organisation"), 200),
        )
        + f". Callback: {_clean(asked_by.get('phone'), 50) or 'not given'}. Work e-mail: "
        + (_clean(asked_by.get("email"), 200) or "not given")
        + (" (confirmed)." if referral.get("email_confirmed") is True else " (not confirmed)."),
        f"NHS number: {nhs_number if nhs_number.isdigit() else 'not given'}"
        + (" (details from the NHS record)." if referral.get("demographics_from_pds") else "."),
        "Risks: "
        + "; ".join(
            (
                _risk(risks, "to_person", "to the person:"),
                _risk(risks, "to_others", "to others:"),
                _risk(risks, "to_staff", "to staff visiting:"),
            )
        )
        + ".",
        f"Basis for sharing: {basis}" + (f". Why: {basis_reason}" if basis_reason else "."),
    ]
    for words, value in (
        ("Address", _joined(*(_clean(address.get(part), 100) for part in _ADDRESS))),
        ("GP practice", _clean(referral.get("gp_practice"), 200)),
        ("Primary support reason", _clean(referral.get("primary_support_reason"), 100)),
        ("Presenting need", _clean(referral.get("presenting_need"), 500)),
        ("Current services", _clean(referral.get("current_services"), 300)),
        ("Others involved", _clean(referral.get("others_involved"), 300)),
    ):
        if value:
            lines.append(f"{words}: {value}")
    return lines


def case_description(payload: dict[str, Any]) -> str:
    lines = _summary(payload) + _referral_lines(payload)
    answers = payload.get("answers")
    if isinstance(answers, list) and answers:
        lines.append("Answers:")
        for answer in answers:
            row = _dict(answer)
            lines.append(f"- {_clean(row.get('question'), 300)}: {_clean(row.get('answer'), 500)}")
    # Dataverse keeps 2,000 characters: the answers are last, so they are cut first, then the
    # referral's free text (its who, callback, NHS number, risks and basis come before it).
    return _clean("\n".join(lines), 2000, lines=True)


def _retry_after(value: str | None) -> timedelta | None:
    if not value:
        return None
    try:
        wait = timedelta(seconds=int(value))
    except ValueError:
        try:
            wait = parsedate_to_datetime(value) - datetime.now(UTC)
        except (TypeError, ValueError):
            return None
    return max(timedelta(seconds=1), min(wait, RETRY_AFTER_MAX))


def _json(answer: _Answer) -> dict[str, Any]:
    try:
        data = json.loads(answer.body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _guid(value: Any) -> str:
    return value.lower() if isinstance(value, str) and _GUID.fullmatch(value) else ""


class DataverseAdapter:
    """A council's Dataverse environment, reached as its application user."""

    def __init__(self, connection: DataverseConnection, *, timeout: float | None = None) -> None:
        self.connection = connection
        self.timeout = TIMEOUT_SECONDS if timeout is None else timeout
        self.api = connection.environment_url.rstrip("/") + API_PATH

    def push(self, payload: dict[str, Any], *, key: str) -> PushResult:
        """Make or update the person's contact and the request's case, and alert the team once
        per case; the case's id is the reference. `key` is not sent (Dataverse takes none): a
        repeat is harmless because every record is looked for before it is made."""
        if not self.connection.enabled:
            raise CrmPushError(
                "The council's Dataverse connection is switched off", retryable=False
            )
        for url in (self.connection.environment_url, self.connection.token_url):
            refusal = url_refusal(url)
            if refusal:
                raise CrmPushError(f"Dataverse cannot be used: {refusal}", retryable=False)
        reference = _clean(payload.get("reference"), 20)
        if not reference:
            raise CrmPushError("The request has no reference to file it under", retryable=False)
        contact = _contact_columns(payload)
        case = self._case_find(reference)
        if case is None:
            contact_id = self._contact_save(contact, known="")
            case_id, status = self._case_create(reference, payload, contact_id), 201
        else:
            case_id, status = case[0], 200
            self._contact_save(contact, known=case[1])
            self._case_update(case_id, payload)
        self._alert(case_id, reference, payload)
        return PushResult(status_code=status, reference=case_id)

    # --- The records ------------------------------------------------------------------------

    def _first(self, entity_set: str, condition: str, select: str) -> dict[str, Any] | None:
        query = f"$filter={quote(condition, safe='')}&$select={select}&$top=1"
        found = _json(self._call("GET", f"{entity_set}?{query}")).get("value")
        return (
            found[0] if isinstance(found, list) and found and isinstance(found[0], dict) else None
        )

    def _case_find(self, reference: str) -> tuple[str, str] | None:
        """The case filed under our reference, and its customer's id, or None."""
        found = self._first(
            "incidents",
            f"title eq {_literal(case_title(reference))}",
            "incidentid,_customerid_value",
        )
        if found is None or not _guid(found.get("incidentid")):
            return None
        return _guid(found["incidentid"]), _guid(found.get("_customerid_value"))

    def _contact_find(self, contact: dict[str, str]) -> str:
        """The person's contact: by e-mail, else by name and date of birth; "" when unknown."""
        if "emailaddress1" in contact:
            condition = f"emailaddress1 eq {_literal(contact['emailaddress1'])}"
        elif "lastname" in contact and "birthdate" in contact:
            condition = " and ".join(
                [
                    # A contact made without a first name has none (null), not "".
                    "firstname eq "
                    + (_literal(contact["firstname"]) if "firstname" in contact else "null"),
                    f"lastname eq {_literal(contact['lastname'])}",
                    f"birthdate eq {contact['birthdate']}",
                ]
            )
        else:
            return ""  # nothing that tells this person apart: a new contact
        found = self._first("contacts", condition, "contactid")
        return _guid(found.get("contactid")) if found else ""

    def _contact_save(self, contact: dict[str, str], *, known: str) -> str:
        """Update the case's contact, else the person's matching one, else make one; its id."""
        if known:
            try:
                self._write("PATCH", f"contacts({known})", contact)
                return known
            except _Missing:
                pass  # deleted in Dataverse, or the case's customer is an account
        found = self._contact_find(contact)
        if found:
            try:
                self._write("PATCH", f"contacts({found})", contact)
                return found
            except _Missing:
                pass  # deleted since it was found
        made = self._write("POST", "contacts", {"lastname": "Not given", **contact})
        contact_id = _guid(made.get("contactid"))
        if not contact_id:
            raise CrmPushError("Dataverse made a contact without an id", retryable=True)
        return contact_id

    def _case_create(self, reference: str, payload: dict[str, Any], contact_id: str) -> str:
        made = self._write(
            "POST",
            "incidents",
            {
                "title": case_title(reference),
                "description": case_description(payload),
                "prioritycode": CASE_PRIORITY[payload.get("urgent") is True],
                "caseorigincode": CASE_ORIGIN_WEB,
                "customerid_contact@odata.bind": f"/contacts({contact_id})",
            },
        )
        case_id = _guid(made.get("incidentid"))
        if not case_id:
            raise CrmPushError("Dataverse made a case without an id", retryable=True)
        return case_id

    def _case_update(self, case_id: str, payload: dict[str, Any]) -> None:
        try:
            self._write(
                "PATCH",
                f"incidents({case_id})",
                {
                    "description": case_description(payload),
                    "prioritycode": CASE_PRIORITY[payload.get("urgent") is True],
                },
            )
        except _Missing as error:
            # Deleted between finding and updating it: the next try makes it again.
            raise CrmPushError("The case was deleted in Dataverse", retryable=True) from error

    def _alert(self, case_id: str, reference: str, payload: dict[str, Any]) -> None:
        """A task for the team regarding the case, once per case."""
        if self._first("tasks", f"_regardingobjectid_value eq {case_id}", "activityid"):
            return
        urgent = payload.get("urgent") is True
        name = _clean(_dict(payload.get("person")).get("name"), 100)
        task: dict[str, Any] = {
            "subject": _clean(
                ("Urgent: new" if urgent else "New")
                + f" front-door request {reference}"
                + (f" for {name}" if name else ""),
                200,
            ),
            "description": _clean("\n".join(_summary(payload)), 2000, lines=True),
            "prioritycode": TASK_PRIORITY[urgent],
            "regardingobjectid_incident@odata.bind": f"/incidents({case_id})",
        }
        team = _guid(self.connection.team_id)
        if team:
            task["ownerid@odata.bind"] = f"/teams({team})"
        self._write("POST", "tasks", task)

    # --- The calls --------------------------------------------------------------------------

    def _write(self, method: str, path: str, record: dict[str, Any]) -> dict[str, Any]:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Prefer": "return=representation",
            "MSCRM.SuppressDuplicateDetection": "true",
        }
        if method == "PATCH":
            headers["If-Match"] = "*"
        body = json.dumps(record, ensure_ascii=False).encode("utf-8")
        return _json(self._call(method, path, body=body, headers=headers))

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> _Answer:
        """One Web API call with the cached token, and with a new one after a 401."""
        for fresh in (False, True):
            request = urllib.request.Request(  # noqa: S310 (open_url checks the address)
                self.api + path,
                data=body,
                method=method,
                headers={
                    "Accept": "application/json",
                    "OData-MaxVersion": "4.0",
                    "OData-Version": "4.0",
                    "User-Agent": USER_AGENT,
                    "Authorization": f"Bearer {self._token(fresh=fresh)}",
                    **(headers or {}),
                },
            )
            answer = self._open(request)
            if answer.status != 401:
                break
        if 200 <= answer.status < 300:
            return answer
        if answer.status == 404 and method == "PATCH":
            raise _Missing(path)
        message = self._api_error(answer)
        where = f"{method} {path.split('?')[0]}"
        if answer.status == 401:
            raise CrmPushError(
                f"Dataverse refused a new token for {where}: is the application user set up "
                "in this environment?",
                retryable=False,
                status_code=401,
            )
        if answer.status == 429:
            wait = _retry_after(answer.headers.get("Retry-After"))
            raise DataverseBusy(
                f"Dataverse is busy (429) at {where}"
                + (f", and asked us to wait {wait.total_seconds():g} seconds" if wait else "")
                + (f": {message}" if message else ""),
                retry_after=wait,
            )
        raise CrmPushError(
            f"Dataverse answered {answer.status} to {where}" + (f": {message}" if message else ""),
            retryable=answer.status >= 500 or answer.status in _RETRYABLE_STATUSES,
            status_code=answer.status,
        )

    @staticmethod
    def _api_error(answer: _Answer) -> str:
        error = _json(answer).get("error")
        if isinstance(error, dict):
            code, message = _clean(error.get("code"), 40), _clean(error.get("message"), 300)
            return f"{message} ({code})" if code and message else message or code
        return _clean(answer.body[:300].decode("utf-8", "replace"), 300)

    def _open(self, request: urllib.request.Request) -> _Answer:
        """Send through the address guard: any HTTP answer comes back; a failure to get one
        raises CrmPushError (retryable unless the address may not be reached)."""
        try:
            with open_url(request, timeout=self.timeout) as response:
                return _Answer(
                    int(response.status), response.read(_MAX_ANSWER_BYTES), response.headers
                )
        except OutboundRefused as error:
            raise CrmPushError(f"Dataverse cannot be used: {error}", retryable=False) from error
        except urllib.error.HTTPError as error:
            return _Answer(error.code, error.read(_MAX_ANSWER_BYTES), error.headers)
        except urllib.error.URLError as error:
            raise CrmPushError(
                f"Dataverse could not be reached: {error.reason}", retryable=True
            ) from error
        except TimeoutError as error:
            raise CrmPushError(
                f"Dataverse did not answer within {self.timeout:g} seconds", retryable=True
            ) from error
        except (OSError, http.client.HTTPException) as error:
            raise CrmPushError(
                f"Dataverse's connection failed: {type(error).__name__}: {error}", retryable=True
            ) from error

    # --- The token --------------------------------------------------------------------------

    def _cache_key(self) -> str:
        """Per connection and credentials: a new secret or address never uses an old token."""
        c = self.connection
        parts = "\n".join([str(c.pk), c.token_url, c.environment_url, c.client_id, c.client_secret])
        return "dataverse-token:" + hashlib.sha256(parts.encode("utf-8")).hexdigest()[:40]

    def _token(self, *, fresh: bool = False) -> str:
        """The application's bearer token, from the cache unless `fresh` or expired."""
        c = self.connection
        try:
            return client_credentials_token(
                token_url=c.token_url,
                form=lambda: {
                    "grant_type": "client_credentials",
                    "client_id": c.client_id,
                    "client_secret": c.client_secret,
                    "scope": f"{c.environment_url.rstrip('/')}/.default",
                },
                cache_key=self._cache_key(),
                send=self._open,
                user_agent=USER_AGENT,
                margin=TOKEN_MARGIN,
                fresh=fresh,
            )
        except TokenRefused as refused:
            reason = ": ".join(part for part in (refused.error, refused.description) if part)
            raise CrmPushError(
                f"Dataverse's sign-in answered {refused.status}"
                + (f": {reason}" if reason else ""),
                retryable=refused.status >= 500 or refused.status in _RETRYABLE_STATUSES,
                status_code=refused.status,
            ) from refused
        except TokenUnusable as error:
            raise CrmPushError(
                "Dataverse's sign-in gave no usable token", retryable=True
            ) from error
