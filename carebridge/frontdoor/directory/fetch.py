"""Fetching an Open Referral UK feed: from the council's address, page by page, through the
guard against server-side request forgery (https only, on the internet, never this machine's
network; no redirects followed; sizes bounded), or from a file or an upload. Reading what was
fetched is feed.py's."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from carebridge.core.outbound import OutboundRefused, open_url, url_refusal
from carebridge.frontdoor.directory import feed as oruk
from carebridge.frontdoor.directory.feed import FeedError

PER_PAGE = 100
MAX_PAGES = 200
TIMEOUT_SECONDS = 30
MAX_PAGE_BYTES = 20 * 1024 * 1024
MAX_FEED_BYTES = 200 * 1024 * 1024


def feed_url_refusal(url: str) -> str:
    """Why the import will not fetch this address, or "" when it will: the guard every address
    a council gives us goes through (https, on the internet, not this machine's network)."""
    refusal = url_refusal(url)
    return f"The feed's address cannot be used. {refusal}." if refusal else ""


def _fetch(url: str) -> bytes:
    refusal = feed_url_refusal(url)
    if refusal:
        raise FeedError(refusal)
    request = urllib.request.Request(  # noqa: S310 - open_url checks the address
        url, headers={"Accept": "application/json", "User-Agent": "Carebridge directory import"}
    )
    try:
        with open_url(request, timeout=TIMEOUT_SECONDS) as response:
            body: bytes = response.read(MAX_PAGE_BYTES + 1)
    except OutboundRefused as error:
        raise FeedError(f"The feed's address cannot be used. {error}.") from None
    except urllib.error.HTTPError as error:
        if 300 <= error.code < 400:
            raise FeedError(
                f"The feed answered {error.code} {error.reason} for {url}: the import follows "
                "no redirect, so give the address it moved to."
            ) from None
        raise FeedError(f"The feed answered {error.code} {error.reason} for {url}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise FeedError(f"The feed could not be reached at {url}: {reason}") from None
    if len(body) > MAX_PAGE_BYTES:
        raise FeedError(f"A page of the feed is larger than {MAX_PAGE_BYTES // 1024 // 1024} MB.")
    return body


def _json(body: bytes, where: str) -> Any:
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FeedError(f"{where} is not JSON: {error}") from None


def page_url(url: str, page: int, per_page: int = PER_PAGE) -> str:
    """The feed's address asking for one page (ORUK: ?page=N&per_page=M, pages from 1)."""
    parts = urlsplit(url)
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key not in ("page", "per_page")
    ]
    query += [("page", str(page)), ("per_page", str(per_page))]
    return urlunsplit(parts._replace(query=urlencode(query)))


@dataclass
class Feed:
    records: list[Any]
    complete: bool
    pages: int = 1


def read_feed_url(url: str) -> Feed:
    """Every record of the feed, following its pages; FeedError when it cannot be read whole."""
    records: list[Any] = []
    total_bytes = 0
    number = 1
    while True:
        body = _fetch(page_url(url, number))
        total_bytes += len(body)
        if total_bytes > MAX_FEED_BYTES:
            raise FeedError(f"The feed is larger than {MAX_FEED_BYTES // 1024 // 1024} MB.")
        page = oruk.read_page(_json(body, f"Page {number} of the feed"))
        if page.envelope == "list":
            # A plain list has no pages: it is the whole feed.
            return Feed(records=page.records, complete=True, pages=1)
        if not page.records and number > 1 and (page.total_pages or 0) >= number:
            raise FeedError(
                f"Page {number} of {page.total_pages} was empty: the feed changed while it was "
                "read. Try again later."
            )
        records.extend(page.records)
        finished = (
            page.last is True
            or not page.records
            or (page.total_pages is not None and number >= page.total_pages)
            or (page.total_pages is None and page.last is None and len(page.records) < PER_PAGE)
        )
        if finished:
            return Feed(records=records, complete=True, pages=number)
        if number >= MAX_PAGES:
            raise FeedError(f"The feed has more than {MAX_PAGES} pages of {PER_PAGE} services.")
        number += 1


def read_feed_bytes(body: bytes) -> Feed:
    """The records of a feed saved as a file: a page is complete only when it is the only one."""
    if len(body) > MAX_FEED_BYTES:
        raise FeedError(f"The file is larger than {MAX_FEED_BYTES // 1024 // 1024} MB.")
    page = oruk.read_page(_json(body, "The file"))
    complete = page.envelope == "list" or (page.total_pages or 1) <= 1
    return Feed(records=page.records, complete=complete)


def source_label(source: str | Path | IO[bytes]) -> str:
    """How the import log names where a feed came from: its address, a file or an upload."""
    if isinstance(source, str) and source.startswith(("http://", "https://")):
        return source[:500]
    if isinstance(source, str | Path):
        return f"File {Path(source).name}"[:500]
    return f"Upload {Path(getattr(source, 'name', '') or 'feed.json').name}"[:500]


def read_source(source: str | Path | IO[bytes]) -> Feed:
    """Every record of a feed, from its address (https), a file's path or an uploaded file;
    FeedError when it cannot be read whole."""
    if isinstance(source, str) and source.startswith(("http://", "https://")):
        return read_feed_url(source)
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            if path.stat().st_size > MAX_FEED_BYTES:
                raise FeedError(f"The file is larger than {MAX_FEED_BYTES // 1024 // 1024} MB.")
            return read_feed_bytes(path.read_bytes())
        except OSError as error:
            raise FeedError(f"The file could not be read: {error.strerror or error}") from None
    body = source.read(MAX_FEED_BYTES + 1)
    return read_feed_bytes(body if isinstance(body, bytes) else str(body).encode())
