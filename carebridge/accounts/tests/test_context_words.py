"""Context words (ASVS 6.1.2): no password may contain the product's name or its trade's words,
the user's own names or e-mail local part, or their organisations' names, whatever the case,
spaces or punctuation."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from carebridge.accounts import services
from carebridge.accounts.passwords import CONTEXT_WORDS, context_words
from tests.support import PASSWORD, make_contract, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db


def refusal(password, user):
    with pytest.raises(ValidationError) as raised:
        validate_password(password, user)
    personal = [e for e in raised.value.error_list if e.code == "password_personal"]
    assert personal, raised.value.messages
    return personal[0].message % personal[0].params


def test_the_products_name_is_refused_with_spaces_and_punctuation_between_its_letters():
    user = make_user(council=make_council("Wrekinshire Council"))
    assert "carebridge" in refusal("Kestrel-Care Bridge-71", user)
    assert "carebridge" in refusal("kestrel.CAREBRIDGE.71", user)


def test_the_documented_trade_words_are_refused():
    user = make_user(council=make_council("Wrekinshire Council"))
    for word in CONTEXT_WORDS:
        assert word in refusal(f"Kestrel-{word.title()}-71", user)


def test_a_council_users_council_name_is_refused():
    user = make_user(council=make_council("Wrekinshire Council"))
    assert refusal("Kestrel-WREKIN-shire-71", user) == (
        'Your password cannot contain "wrekinshire": choose one without your name, your e-mail '
        "address, your organisation's name or words about this service"
    )
    # Another council's name is no context of this user's.
    validate_password("Kestrel-Lindenvale-71", user)


def test_a_provider_users_provider_and_its_councils_names_are_refused():
    provider = make_provider("Larkfield Domiciliary Services")
    make_contract(make_council("Wrekinshire Council"), provider)
    user = make_user(provider=provider)
    assert "larkfield" in refusal("Kestrel-Larkfield-71", user)
    assert "domiciliary" in refusal("domiciliary lantern 71", user)
    assert "wrekinshire" in refusal("Wrekin Shire Lantern 71", user)
    validate_password("Kestrel-Lantern-71", user)


def test_the_users_names_and_email_local_part_are_refused():
    user = make_user(council=make_council(), email="sam.okafor@wrekinshire.gov.uk")
    assert "okafor" in refusal("Kestrel-OKAFOR-71", user)
    assert "samokafor" in refusal("Sam_Okafor-Lantern-71", user)
    assert "alex" in refusal("Alex-Lantern-Kestrel-71", user)


def test_words_shorter_than_four_letters_are_not_context_words():
    provider = make_provider("Oak Ltd")
    user = make_user(provider=provider)
    assert "oak" not in context_words(user)
    assert "oakltd" in context_words(user)
    validate_password("Oak-Lantern-Kestrel-71", user)


def test_without_a_user_the_product_words_still_apply():
    assert context_words(None) == set(CONTEXT_WORDS)
    with pytest.raises(ValidationError):
        validate_password("Kestrel-Portal-71", None)


def test_the_set_up_link_refuses_the_users_organisation_in_a_gov_uk_error():
    user = make_user(council=make_council("Wrekinshire Council"), ready=False)
    _link, token = services.setup_link_create(user=user, by=None)
    client = Client()
    opened = client.get(reverse("accounts:set_up", kwargs={"token": token}))
    assert opened.status_code == 302
    chosen = "Wrekinshire-Lantern-71"
    response = client.post(opened["Location"], {"new_password": chosen, "confirm_password": chosen})
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "Your password cannot contain &quot;wrekinshire&quot;" in page
    user.refresh_from_db()
    assert not user.check_password(chosen)
    # The suite's own password is not refused for the same user.
    services.check_new_password(user=user, password=PASSWORD)


def test_the_generic_words_of_a_name_are_not_context_words_but_the_whole_name_is():
    provider = make_provider("Oakden Home Care Services Ltd")
    make_contract(make_council("Wrekinshire County Council"), provider)
    user = make_user(provider=provider)
    words = context_words(user)
    assert {"care", "home", "services", "county"}.isdisjoint(words)
    assert {"oakden", "oakdenhomecareservicesltd", "wrekinshire"} <= words
    validate_password("careful homework lantern 71", user)
    assert "oakden" in refusal("Oakden lantern kestrel 71", user)
