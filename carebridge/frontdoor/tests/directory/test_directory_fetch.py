"""Reading a directory's feed over HTTP: following the pages of each version, errors,
refusing this machine's network and redirects, and the nightly refresh."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from carebridge.frontdoor.directory import fetch, imports
from carebridge.frontdoor.models import DirectoryImport, DirectoryService, FrontDoorSettings
from carebridge.frontdoor.tests.directory.directory_support import feed, import_feed
from tests.support import make_council

pytestmark = pytest.mark.django_db


# --- Reading a feed over HTTP -------------------------------------------------------------------


@pytest.fixture
def feed_server(settings):
    # The feed runs on 127.0.0.1, which production never fetches: only tests allow it.
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    """A directory's API on loopback: serves `server.pages` (page number → JSON) and records
    every request's query."""
    requests: list[dict[str, list[str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            query = parse_qs(urlsplit(self.path).query)
            requests.append(query)
            page = int(query.get("page", ["1"])[0])
            status, body = self.server.respond(page)  # type: ignore[attr-defined]
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.respond = lambda page: (200, [])  # type: ignore[attr-defined]
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/api/services?taxonomy_id=adults"  # type: ignore[attr-defined]
    yield server, requests
    server.shutdown()
    server.server_close()


def v1_pages(records: list[Any], size: int):
    pages = [records[i : i + size] for i in range(0, len(records), size)]

    def respond(page: int):
        contents = pages[page - 1] if page <= len(pages) else []
        return 200, {
            "totalElements": len(records),
            "totalPages": len(pages),
            "number": page,
            "size": size,
            "first": page == 1,
            "last": page >= len(pages),
            "content": contents,
        }

    return respond


def test_it_follows_the_pages_of_a_v1_feed(world, feed_server):
    server, requests = feed_server
    server.respond = v1_pages(feed()["contents"], 6)

    log = import_feed(world.council, server.url)

    assert (log.read, log.imported, log.skipped, log.complete) == (20, 16, 4, True)
    assert [q["page"] for q in requests] == [["1"], ["2"], ["3"], ["4"]]
    assert all(q["per_page"] == [str(fetch.PER_PAGE)] for q in requests)
    assert all(q["taxonomy_id"] == ["adults"] for q in requests)


def test_it_follows_the_pages_of_a_v3_feed(world, feed_server):
    server, requests = feed_server
    records = feed()["contents"]

    def respond(page: int):
        contents = records[(page - 1) * 10 : page * 10]
        return 200, {"total_items": 20, "total_pages": 2, "page_number": page, "contents": contents}

    server.respond = respond
    log = import_feed(world.council, server.url)

    assert (log.read, log.imported, log.complete) == (20, 16, True)
    assert len(requests) == 2


def test_a_feed_that_answers_an_error_imports_nothing(world, feed_server):
    import_feed(world.council)
    server, _requests = feed_server
    pages = v1_pages(feed()["contents"], 5)
    server.respond = lambda page: (503, {}) if page == 3 else pages(page)

    with pytest.raises(imports.DirectoryImportFailed, match="503"):
        import_feed(world.council, server.url)

    assert DirectoryService.objects.filter(council=world.council).count() == 16
    assert DirectoryImport.objects.latest("pk").failure.startswith("The feed answered 503")


def test_it_refuses_plain_http_and_this_machines_network(settings):
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    assert fetch.feed_url_refusal("https://directory.example.org/services") == ""
    assert "https://" in fetch.feed_url_refusal("http://directory.example.org/services")
    assert "https://" in fetch.feed_url_refusal("file:///etc/passwd")
    for local in (
        "http://127.0.0.1:8000/services",
        "https://localhost/services",
        "https://[::ffff:127.0.0.1]/services",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.8/services",
    ):
        assert fetch.feed_url_refusal(local) != "", local
    assert fetch.page_url("https://d.example.org/s?page=9&x=1", 2) == (
        "https://d.example.org/s?x=1&page=2&per_page=100"
    )


def test_the_import_never_fetches_this_machine_without_the_test_allowance(
    world, feed_server, settings
):
    server, requests = feed_server
    settings.OUTBOUND_ALLOW_LOOPBACK = False

    with pytest.raises(imports.DirectoryImportFailed, match="cannot be used"):
        import_feed(world.council, server.url)

    assert requests == []


def test_the_import_follows_no_redirect(world, feed_server):
    server, requests = feed_server
    server.respond = lambda page: (302, {})

    with pytest.raises(imports.DirectoryImportFailed, match="no redirect"):
        import_feed(world.council, server.url)

    assert len(requests) == 1


def test_the_nightly_refresh_imports_every_council_with_a_feed(world, feed_server):
    server, _requests = feed_server
    server.respond = v1_pages(feed()["contents"], 50)
    FrontDoorSettings.objects.create(council=world.council, directory_feed_url=server.url)
    FrontDoorSettings.objects.create(
        council=world.other_council, directory_feed_url="http://directory.example.org/feed"
    )
    third = make_council("Fenmarrow Borough Council")
    FrontDoorSettings.objects.create(council=third)

    from carebridge.frontdoor.tasks import refresh_directories

    results = refresh_directories.call_local()

    assert results == {
        world.council.slug: "16 new, 0 changed, 0 removed, 4 skipped",
        world.other_council.slug: "failed: The feed's address cannot be used. The address "
        "must start with https://.",
    }
    assert DirectoryService.objects.filter(council=world.council).count() == 16
