"""Creates that happen once: a double click, a resent request or ten POSTs at the same moment
make one object, and every repeat gets that first object back.

A page that creates carries a single-use form token (`{% form_token %}` from the `submissions`
template tags), issued signed when the form is rendered; a system sends an `Idempotency-Key`
header. The service claims the key inside its own transaction by inserting a `Submission` row
whose key is unique: on PostgreSQL a second insert of the same key waits for the first
transaction and then fails, so the repeat reads what the first created (after it committed);
if the first failed and rolled back, its key is free again and the repeat creates. SQLite
serialises writers, so the same code is right there too.

A POST without a token (or with one that is forged, another user's, or older than LIFETIME)
creates as it always did: a person's browser always sends the token of the page it shows, and
scripted floods are the rate limits' work (`core.ratelimits`).
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar

from django.core import signing
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest

from carebridge.core.calendar import now
from carebridge.core.models import Submission

# The hidden field every creating form carries.
FIELD = "form_token"
# The API's header (the IETF httpapi draft's name, as Stripe and others use it).
HEADER = "Idempotency-Key"
# Long enough for a form left open over lunch or a client's retries over a day; rows older than
# this are deleted (core.tasks.purge_submissions, hourly), when their tokens no longer verify.
LIFETIME = timedelta(days=1)
_SALT = "carebridge.core.idempotency.form-token"
# What a system may send: printable ASCII, as the draft's examples, bounded.
_API_KEY = re.compile(r"[\x21-\x7e]{1,255}")

# What a create returns: the object it made, or (for account_create) a tuple that holds it.
M = TypeVar("M")
P = ParamSpec("P")


class BadIdempotencyKey(ValueError):
    """An Idempotency-Key header that is empty, too long, or not printable ASCII."""


def _owner(request: HttpRequest) -> int | None:
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def form_token_issue(request: HttpRequest) -> str:
    """A new single-use token for one rendering of a form, bound to the logged-in user (if any),
    so another person's token is worth nothing."""
    return signing.dumps({"k": secrets.token_urlsafe(16), "u": _owner(request)}, salt=_SALT)


def _hashed(*parts: Any) -> str:
    return hashlib.sha256(":".join(str(part) for part in parts).encode()).hexdigest()


def key_from_form(request: HttpRequest) -> str | None:
    """The key of the form token this POST carries, or None when it has none that is good."""
    token = request.POST.get(FIELD, "")
    if not token or len(token) > 300:
        return None
    try:
        payload = signing.loads(token, salt=_SALT, max_age=LIFETIME)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("u") != _owner(request):
        return None
    return _hashed("form", payload.get("k"))


def key_from_header(request: HttpRequest, *, client: int) -> str | None:
    """The key of the Idempotency-Key header, scoped to the calling system (`client`, the API
    user's id) so two systems choosing the same key never meet; None without the header."""
    value = request.headers.get(HEADER)
    if value is None:
        return None
    if not _API_KEY.fullmatch(value):
        raise BadIdempotencyKey(f"{HEADER} must be 1 to 255 printable characters, with no spaces.")
    return _hashed("api", client, value)


def create_once(
    *,
    key: str | None,
    purpose: str,
    create: Callable[[], M],
    find: Callable[[int], M | None],
    pk_of: Callable[[M], int] | None = None,
) -> tuple[M, bool]:
    """Run `create` once per key and return (object, True); a repeat of the key returns
    (the first object, False) without creating. Call it inside the service's transaction, so
    the claim commits or rolls back with what the service writes."""
    if key is None:
        return create(), True
    # One key, one kind of create: a token replayed at another form is no repeat of it.
    stored = _hashed(purpose, key)
    with transaction.atomic():
        try:
            # A savepoint of its own: a repeat's failed insert leaves the transaction usable.
            with transaction.atomic():
                claim: Submission | None = Submission.objects.create(
                    key=stored, purpose=purpose, created_at=now()
                )
        except IntegrityError:
            claim = Submission.objects.filter(key=stored).first()
            found = find(claim.object_id) if claim is not None and claim.object_id else None
            if found is not None:
                return found, False
            # What the first created is gone since (or its claim was just purged): this
            # submission creates it again.
        made = create()
        if claim is not None:
            Submission.objects.filter(pk=claim.pk).update(object_id=(pk_of or _pk)(made))
        return made, True


def _pk(made: Any) -> int:
    assert isinstance(made, models.Model)
    return int(made.pk)


def once_per_key(
    purpose: str,
    *,
    find: Callable[[int, dict[str, Any]], M | None],
    pk_of: Callable[[M], int] | None = None,
) -> Callable[[Callable[P, M]], Callable[P, M]]:
    """A service that creates, made to create once per `idempotency_key` (a keyword argument
    it declares and never reads itself): `find(pk, kwargs)` fetches the first object, scoped by
    the call's own arguments so a key never reaches another council's or user's object.
    `pk_of` picks the id to remember when the service returns more than the object."""

    def decorate(service: Callable[P, M]) -> Callable[P, M]:
        @functools.wraps(service)
        def once(*args: P.args, **kwargs: P.kwargs) -> M:
            key = kwargs.pop("idempotency_key", None)
            made, _created = create_once(
                key=key if isinstance(key, str) else None,
                purpose=purpose,
                create=lambda: service(*args, **kwargs),
                find=lambda pk: find(pk, kwargs),
                pk_of=pk_of,
            )
            return made

        return once

    return decorate


def created_before(*, key: str | None, purpose: str) -> int | None:
    """The id of what a key has created already, if it has: for an answer that must be the first
    one's (the API's 201) before anything else is looked at."""
    if key is None:
        return None
    return (
        Submission.objects.filter(key=_hashed(purpose, key), object_id__isnull=False)
        .values_list("object_id", flat=True)
        .first()
    )


def submissions_purge() -> int:
    """Forget claims older than a token's life: their tokens no longer verify anyway."""
    deleted, _ = Submission.objects.filter(created_at__lt=now() - LIFETIME).delete()
    return deleted
