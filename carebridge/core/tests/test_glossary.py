"""The glossary's terms and `{% term %}`: each word explained once, opened beside the pages'
columns and headings that use it, and a typo in a slug fails at render."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse
from django.utils.html import escape

from carebridge.core.glossary import BY_SLUG, TERMS
from tests.support import client_for, make_two_council_provider, make_user

REQUIRED = [
    "cpli",
    "iso",
    "contract-document",
    "service-level",
    "actuals",
    "planned",
    "frustrated",
    "missed",
    "extra",
    "visits",
    "variation-code",
    "exception",
    "period",
    "confirmation",
    "dispute",
    "dispute-reason",
    "invoice",
    "credit-note",
    "supplementary-invoice",
    "pre-invoice",
    "scheduled-payment",
    "one-off-claim",
    "variation-request",
    "payment-run",
    "remittance-advice",
    "purchase-order",
    "commitment",
    "prompt-payment",
    "referral",
    "reply-window",
    "provider-update",
    "failed-start",
    "action",
    "change-request",
    "front-door",
    "signposting",
    "hub",
    "cld",
    "ss-ref",
    "nhs-number",
    "super-user",
    "rulebook",
]


def _render(source: str) -> str:
    return Template("{% load glossary %}" + source).render(Context({}))


def test_every_term_has_a_unique_slug_name_and_meaning():
    assert len({t.slug for t in TERMS}) == len(TERMS)
    assert len({t.name for t in TERMS}) == len(TERMS)
    assert len({t.meaning for t in TERMS}) == len(TERMS)
    assert all(t.slug and t.name and t.meaning.endswith(".") for t in TERMS)


def test_the_glossary_holds_every_word_the_pages_use():
    assert [slug for slug in REQUIRED if slug not in BY_SLUG] == []


def test_a_short_form_is_asked_about_by_its_short_form():
    assert BY_SLUG["missed"].question == "What does Msd mean?"
    assert BY_SLUG["referral"].question == "What is a referral?"


def test_the_tag_renders_a_details_with_the_meaning_and_a_glossary_link():
    html = _render('{% term "missed" %}')
    assert '<details class="govuk-details">' in html
    assert "What does Msd mean?" in html
    assert escape(BY_SLUG["missed"].meaning) in html
    assert f'href="{reverse("help:glossary")}#missed"' in html


def test_several_terms_render_in_one_details_with_its_summary():
    html = _render('{% terms "planned" "extra" summary="What do the columns mean?" %}')
    assert html.count("<details") == 1
    assert "What do the columns mean?" in html
    assert ">Pl</dt>" in html
    assert ">Xtr</dt>" in html


def test_an_unknown_slug_fails_at_render():
    with pytest.raises(TemplateSyntaxError, match="mised"):
        _render('{% term "mised" %}')
    with pytest.raises(TemplateSyntaxError, match="plannd"):
        _render('{% terms "planned" "plannd" %}')


def test_an_unknown_slug_renders_nothing_in_production(settings):
    settings.DEBUG = False
    settings.TESTING = False
    assert _render('{% term "mised" %}') == ""


@pytest.mark.django_db
def test_the_glossary_page_lists_every_term_from_a_to_z_with_its_anchor():
    response = client_for().get(reverse("help:glossary"))
    html = response.content.decode()
    assert response.status_code == 200
    for term in TERMS:
        assert f'id="{term.slug}"' in html
    letters = [html.index(f'id="letter-{letter}"') for letter in "ACFPS"]
    assert letters == sorted(letters)
    assert "Frustrated (Frstd)" in html


@pytest.fixture
def two(db):
    return make_two_council_provider()


def _page(user, url):
    response = client_for(user).get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_actuals_week_page_explains_its_columns(two):
    url = reverse("actuals:week") + f"?service={two.service.pk}&week={two.week:%Y-%m-%d}"
    html = _page(two.carer, url)
    assert "What do the columns mean?" in html
    for short in ("Pl", "Actual", "Frstd", "Msd", "Xtr", "Vst"):
        assert f">{short}</dt>" in html


def test_the_cpli_list_explains_a_cpli(two):
    assert "What does CPLI mean?" in _page(two.carer, reverse("cplis:cpli_list"))


def test_a_contract_document_explains_an_iso(two):
    document = two.weekly_cpli.document
    url = reverse("contracts:document_detail", args=[document.pk])
    assert "What does ISO mean?" in _page(two.carer, url)


def test_the_providers_disputes_list_explains_disputes(two):
    html = _page(two.carer, reverse("disputes:dispute_list"))
    assert "What are disputes and their reasons?" in html


def test_the_scheduled_payments_list_explains_a_scheduled_payment(two):
    user = make_user(provider=two.provider, role="super_user_scheduled")
    assert "What is a scheduled payment?" in _page(user, reverse("payments:scheduled_list"))


def test_the_one_off_claims_list_explains_a_claim(two):
    assert "What is a one-off claim?" in _page(two.carer, reverse("payments:claim_list"))


def test_the_variation_requests_list_explains_a_variation_request(two):
    html = _page(two.carer, reverse("payments:variation_list"))
    assert "What is a variation request?" in html


def test_the_remittance_list_explains_remittance_advice(two):
    html = _page(two.carer, reverse("payments:remittance_list"))
    assert f"{reverse('help:glossary')}#remittance-advice" in html


def test_the_pending_referrals_explain_the_reply_window(two):
    assert "What is a reply window?" in _page(two.carer, reverse("referrals:pending"))
