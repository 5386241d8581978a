"""The row-links registry: sources registered once, asked in their order, merged by row id."""

from collections.abc import Iterator, Sequence
from types import SimpleNamespace
from typing import Any

import pytest

from carebridge.core import row_links
from carebridge.core.row_links import RowLink


@pytest.fixture
def registry() -> Iterator[None]:
    """An empty registry for the test, with the apps' own sources put back afterwards."""
    kept = list(row_links._sources)
    row_links._sources.clear()
    yield
    row_links._sources[:] = kept


def _first_row(user: Any, rows: Sequence[Any]) -> dict[int, RowLink]:
    return {rows[0].pk: RowLink("First", "/first", f" for {user}")}


def _every_row(user: Any, rows: Sequence[Any]) -> dict[int, RowLink]:
    return {row.pk: RowLink("Every", f"/every/{row.pk}") for row in rows}


def test_it_merges_every_sources_links_by_row_in_the_sources_order(registry):
    row_links.register(_every_row, order=20)
    row_links.register(_first_row, order=10)
    rows = [SimpleNamespace(pk=7), SimpleNamespace(pk=9)]
    found = row_links.links_for("Sam", rows)
    assert found == {
        7: [RowLink("First", "/first", " for Sam"), RowLink("Every", "/every/7")],
        9: [RowLink("Every", "/every/9")],
    }


def test_it_registers_a_source_once(registry):
    row_links.register(_every_row, order=20)
    row_links.register(_every_row, order=5)
    assert row_links.sources() == [_every_row]


def test_it_asks_no_source_about_a_page_without_rows(registry):
    asked = []

    def source(user: Any, rows: Sequence[Any]) -> dict[int, RowLink]:
        asked.append(rows)
        return {}

    row_links.register(source, order=1)
    assert row_links.links_for("Sam", []) == {}
    assert asked == []


def test_payments_offers_its_link_once_the_apps_are_ready():
    from carebridge.payments.row_links import variation_row_links

    assert variation_row_links in row_links.sources()
