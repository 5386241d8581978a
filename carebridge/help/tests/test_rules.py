"""The rules a help topic shows are each council's own settings in words: two councils read
different sentences, a changed setting changes its sentence, and every area renders for a new
council in a fixed number of queries."""

from datetime import time

import pytest

from carebridge.help.rules import AREAS, Rule, rules_for
from carebridge.organisations.services import payment_settings
from carebridge.organisations.services.records import rulebook_update
from tests.support import make_council, make_two_council_provider, make_user

pytestmark = pytest.mark.django_db


def _texts(council, area):
    ((_heading, rules),) = rules_for(council, (area,))
    return {rule.label: rule.text for rule in rules}


def _reload(council):
    council.refresh_from_db()
    council.rulebook.refresh_from_db()
    return council


def test_two_councils_with_different_rulebooks_read_different_actuals_rules():
    two = make_two_council_provider()
    weekly = _texts(two.weekly, "actuals")
    four_weekly = _texts(two.four_weekly, "actuals")
    assert "week by week" in weekly["Period"]
    assert "4-weekly periods" in four_weekly["Period"]
    assert "on the Tuesday after the period ends" in weekly["Confirmation deadline"]
    assert "5th working day after the period ends" in four_weekly["Confirmation deadline"]
    assert "variation code" in weekly["Extras"]
    assert "are not paid" in four_weekly["Extras"]
    assert "Service to Comments" in weekly["CSV files"]
    assert "frustrated reason" in four_weekly["CSV files"]
    assert "for up to 2 weeks running" in weekly["Hospital admissions"]


def test_a_changed_reply_window_changes_its_sentence():
    council = make_council()
    before = _texts(council, "referrals")["Reply window"]
    assert "within 2 hours of service time" in before
    assert "8:00am to 5:30pm, Monday to Friday and not on bank holidays" in before
    admin = make_user(council=council, role="council_administrator")
    rulebook_update(
        council=council,
        by=admin,
        referral_response_minutes=90,
        referral_service_start=time(7, 0),
        referral_service_days="0123456",
        referral_service_closed_on_bank_holidays=False,
        referral_max_delays=1,
    )
    after = _texts(_reload(council), "referrals")
    assert "within 1 hour and 30 minutes" in after["Reply window"]
    assert "7:00am to 5:30pm, Monday to Sunday:" in after["Reply window"]
    assert after["Delays"] == "You may delay the start of a service up to once."


def test_a_changed_log_in_policy_changes_its_sentences():
    council = make_council()
    assert _texts(council, "log_in")["Password expiry"] == "Passwords do not expire."
    admin = make_user(council=council, role="council_administrator")
    rulebook_update(
        council=council,
        by=admin,
        password_expiry_days=365,
        password_min_digits=1,
        login_failures_before_lock=5,
    )
    after = _texts(_reload(council), "log_in")
    assert after["Password expiry"] == "Change your password every 365 days."
    assert after["Password"] == "At least 12 characters, with at least 1 number."
    assert "after 5 failed attempts" in after["Locking"]


def test_a_changed_payment_rule_changes_its_contract_types_sentence():
    council = make_council()
    before = _texts(council, "payments")
    assert before["Every contract type"].startswith("Paid on actuals")
    assert "One-off claims are not allowed." in before["Every contract type"]
    assert "within 30 days" in before["Prompt payment"]
    admin = make_user(council=council, role="council_administrator")
    payment_settings.payment_rule_update(
        by=admin,
        council=council,
        contract_type="block_2015",
        payment_method="on_invoice",
        one_off_claims_allowed=True,
        night_cancellation_paid_percent=50,
    )
    after = _texts(council, "payments")
    assert after["2015 block contracts"].startswith("Paid on invoice")
    assert "One-off claims are allowed." in after["2015 block contracts"]
    assert "night cancelled within 24 hours at 50%" in after["2015 block contracts"]
    assert (
        after["Spot, Old block, 2013 block and Framework contracts"]
        == before["Every contract type"]
    )


def test_a_council_without_a_dispute_catalogue_reads_the_default_reasons():
    reasons = _texts(make_council(), "disputes")["Dispute reasons"]
    assert "Variation code missing" in reasons


def test_a_closed_front_door_with_no_phone_says_so():
    rules = _texts(make_council(), "frontdoor")
    assert rules["Open"].startswith("The front door is closed")
    assert rules["Phone"] == "No phone number given."
    assert rules["Office hours"] == "9:00am to 5:00pm, Monday to Friday, closed on bank holidays."


def test_the_case_feed_interval_reads_in_minutes():
    council = make_council(case_feed_poll_seconds=90)
    assert _texts(council, "integrations")["Case-management feed"].endswith(
        "every 1 minute and 30 seconds."
    )


def test_every_area_renders_for_a_default_council_in_a_fixed_number_of_queries(
    django_assert_max_num_queries,
):
    council = make_council()
    fresh = type(council).objects.select_related("rulebook").get(pk=council.pk)
    with django_assert_max_num_queries(5):
        areas = rules_for(fresh, tuple(AREAS))
    assert [heading for heading, _rules in areas] == [heading for heading, _fn in AREAS.values()]
    for _heading, rules in areas:
        assert rules
        assert all(isinstance(rule, Rule) and rule.label and rule.text for rule in rules)


def test_the_staff_second_step_reads_what_the_council_requires():
    council = make_council()
    step = "Council staff's second step"
    assert _texts(council, "log_in")[step].startswith("Council staff may use a passkey")
    admin = make_user(council=council, role="council_administrator")
    rulebook_update(council=council, by=admin, staff_require_authenticator=True)
    assert _texts(_reload(council), "log_in")[step].startswith(
        "Council staff must use an authenticator app"
    )
    rulebook_update(council=council, by=admin, staff_require_passkey=True)
    assert _texts(_reload(council), "log_in")[step].startswith("Council staff must use a passkey")
