"""The accounts help topics open to their readers with the log-in rules of the reader's council;
the log-in help opens to someone who cannot log in, and every log-in page offers it."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from carebridge.help.content.accounts import NOT_PAGES, TOPICS
from carebridge.help.tests.support import read_topic, topic_page
from tests.support import make_council


@pytest.fixture
def council(db):
    """A council that locks an account after 5 failed tries and suspends it after 45 days."""
    return make_council(login_failures_before_lock=5, suspend_after_days=45)


@pytest.mark.parametrize("topic", TOPICS, ids=lambda topic: topic.slug)
def test_each_accounts_topic_opens_to_its_reader_with_the_councils_rules(council, readers, topic):
    page = read_topic(readers, council, topic)
    if "log_in" in topic.areas:
        assert "5 failed attempts" in page
        assert "45 days" in page


def test_the_log_in_help_is_public_and_covers_every_way_of_getting_stuck(council, client):
    page = topic_page(client, "logging-in")
    for words in (
        "If your account is locked",
        "forgotten your password or passcode",
        "lost the phone",
        "Your password has expired",
        "single sign-on",
        "portal administrator",
        "Which council do you work with?",
    ):
        assert words in page
    # Never a list of every council: the visitor names theirs, and reads its contacts.
    assert council.name not in page
    named = topic_page(
        client, "logging-in", "?" + urlencode({"council_name": f"  {council.name.upper()} "})
    )
    assert f"Contact {council.name}" in named
    unknown = topic_page(client, "logging-in", "?council_name=Nowhere")
    assert "We could not find a council called Nowhere" in unknown


def test_logging_out_and_the_account_buttons_are_not_pages():
    assert {"accounts:logout", "accounts:user_action"} <= NOT_PAGES


@pytest.mark.parametrize(
    "url",
    [
        reverse("accounts:login"),
        reverse("accounts:reset"),
        reverse("accounts:reset_password", kwargs={"token": "not-a-token"}),
    ],
    ids=["login", "reset", "link-problem"],
)
def test_the_log_in_pages_offer_help_with_problems_logging_in(client, db, url):
    page = client.get(url).content.decode()
    assert "Problems logging in?" in page
    assert reverse("help:topic", kwargs={"slug": "logging-in"}) in page
