"""The referral lists run a fixed number of queries, however many referrals there are.

The benchmark (bench/run.py) measures the pages on 205,000 referrals but only at one size; this
test compares two sizes of seed_scale's data set, so a query per row shows up as a difference.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.accounts.models import User
from carebridge.core.calendar import now
from carebridge.demo.scale import SCALE_API_KEY, SCALE_SLUG, seed_scale

pytestmark = pytest.mark.django_db

# About 20 and 200 referrals. At the smaller size every list has fewer rows than a page holds,
# at the larger one most are full, so a query per row would change the count.
SMALL = {"pending_referrals": 10, "in_service_referrals": 4, "closed_referrals": 8}
LARGE = {"pending_referrals": 120, "in_service_referrals": 20, "closed_referrals": 60}
CLIENTS = 60

# name: (persona, URL name, query string)
LISTS = {
    "pending list": ("provider", "referrals:pending", ""),
    "pending list, filtered": ("provider", "referrals:pending", "q=a&reply=missed&sort=newest"),
    "existing list": ("provider", "referrals:existing", ""),
    "council list": ("broker", "referrals:council_list", ""),
    "API list": ("api", "api_referral_list", ""),
    "API list, changed since": ("api", "api_referral_list", "changed_since={since}"),
}


def _client(persona: str) -> Client:
    if persona == "api":
        return Client(headers={"Authorization": f"Bearer {SCALE_API_KEY}"})
    client = Client()
    client.force_login(User.objects.get(email=f"{persona}@{SCALE_SLUG}.example"))
    return client


def _rows(response) -> int:
    if response.headers["Content-Type"].startswith("application/json"):
        return len(response.json()["results"])
    return len(response.context["page"].object_list)


def measure() -> dict[str, tuple[int, int, list[str]]]:
    """Each list's query count, rows shown and SQL, on its second request (the first one
    saves the session's last-seen time or the token's last use, once a minute)."""
    since = (now() - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    results = {}
    for name, (persona, url_name, query) in LISTS.items():
        client = _client(persona)
        url = reverse(url_name) + ("?" + query.format(since=since) if query else "")
        assert client.get(url).status_code == 200, name
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, name
        results[name] = (len(queries), _rows(response), [q["sql"] for q in queries])
    return results


def test_each_list_makes_the_same_number_of_queries_for_20_and_200_referrals():
    seed_scale(clients=CLIENTS, **SMALL)
    small = measure()
    seed_scale(clients=CLIENTS, **LARGE)
    large = measure()

    for name in LISTS:
        assert large[name][1] > small[name][1] >= 1, (name, "rows", small[name][1], large[name][1])
    counts = {name: (small[name][0], large[name][0]) for name in LISTS}
    differing = {
        name: "\n".join(large[name][2]) for name, (few, many) in counts.items() if few != many
    }
    assert not differing, f"queries at 20 and 200 referrals: {counts}\n{differing}"
