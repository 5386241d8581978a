"""The selects of every provider of a council (the new referral form, the council's referral list)
write their options in Python (issue 22): the same markup as Django's Select and
core/_list_select.html, and the same queries however many providers there are."""

import re

import pytest
from django import forms
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.accounts.models import User
from carebridge.demo.scale import SCALE_SLUG, seed_scale
from carebridge.people.models import ServiceUser
from carebridge.referrals.forms.options import Select, options_html

CHOICES = [
    ("", "Choose a provider"),
    (7, "Ash & Oak <Care>"),
    (12, 'The "Best" Care'),
    (3, "O'Neil"),
]
ATTRS = {"class": "govuk-select", "id": "id_provider", "aria-describedby": "id_provider_hint"}


@pytest.mark.parametrize("value", [None, "", 12, "12", "3", "99", "<x>"])
def test_the_select_writes_what_djangos_select_writes(value):
    ours = Select(choices=CHOICES).render("provider", value, attrs=ATTRS)
    djangos = forms.Select(choices=CHOICES).render("provider", value, attrs=ATTRS)
    assert ours == djangos


@pytest.mark.parametrize("chosen", [None, 12, 99])
def test_the_options_are_what_the_list_select_template_writes(chosen):
    options = [(7, "Ash & Oak <Care>"), (12, 'The "Best" Care'), (3, "O'Neil")]
    page = render_to_string(
        "core/_list_select.html",
        {
            "name": "provider",
            "label": "Provider",
            "blank": "All",
            "options": options,
            "chosen": chosen,
        },
    )
    assert options_html(options, chosen) in page


def _queries(client: Client, url: str) -> tuple[int, int]:
    """The page's queries on its second request (the first saves the session's last-seen time),
    and how many provider options it shows."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    select = re.search(r'<select[^>]*name="provider".*?</select>', response.content.decode(), re.S)
    assert select is not None
    return len(queries), select.group(0).count("<option")


@pytest.mark.django_db
def test_the_broker_pages_make_the_same_queries_for_5_and_40_providers():
    seed_scale(clients=30, providers=5, pending_referrals=4, closed_referrals=4)
    client = Client()
    client.force_login(User.objects.get(email=f"broker@{SCALE_SLUG}.example"))
    person = ServiceUser.objects.order_by("pk").first()
    assert person is not None
    pages = [
        reverse("referrals:new") + f"?service_user={person.pk}",
        reverse("referrals:council_list"),
    ]
    few = [_queries(client, url) for url in pages]
    seed_scale(clients=30, providers=40, pending_referrals=4, closed_referrals=4)
    many = [_queries(client, url) for url in pages]
    for url, (few_queries, few_options), (many_queries, many_options) in zip(
        pages, few, many, strict=True
    ):
        assert many_options > few_options, url
        assert many_queries == few_queries, url
