import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from carebridge.accounts.passwords import PASSWORD_MAX_LENGTH
from tests.support import make_contract, make_council, make_provider, make_user

NORTHSHIRE_RULES = {
    "password_min_length": 9,
    "password_min_capitals": 1,
    "password_min_letters": 1,
    "password_min_digits": 2,
    "password_expiry_days": 365,
}
WESTBROOK_RULES = {"password_min_length": 12}


def codes(error: ValidationError) -> set[str]:
    return {e.code for e in error.error_list if e.code}


def refused(password, user):
    with pytest.raises(ValidationError) as raised:
        validate_password(password, user)
    return codes(raised.value)


@pytest.mark.django_db
class TestACouncilWithCompositionRules:
    @pytest.fixture
    def user(self):
        return make_user(council=make_council(**NORTHSHIRE_RULES))

    def test_it_accepts_a_password_meeting_every_rule(self, user):
        validate_password("Kestrel-Fog-71", user)

    def test_it_refuses_a_short_password(self, user):
        assert "password_too_short" in refused("Ab1234", user)

    def test_it_refuses_a_password_without_a_capital(self, user):
        assert "password_no_capital" in refused("kestrelfog71", user)

    def test_it_refuses_a_password_with_one_digit(self, user):
        assert "password_no_digit" in refused("Kestrel-Fog-7", user)

    def test_it_refuses_a_password_without_letters(self, user):
        assert "password_no_letter" in refused("123456789012", user)

    def test_it_lists_every_broken_rule_at_once(self, user):
        assert {"password_too_short", "password_no_capital", "password_no_digit"} <= refused(
            "abc", user
        )


@pytest.mark.django_db
class TestACouncilFollowingNcscAdvice:
    @pytest.fixture
    def user(self):
        return make_user(council=make_council(**WESTBROOK_RULES))

    def test_it_accepts_three_random_words_without_capitals_or_digits(self, user):
        validate_password("kestrel lantern pebble", user)

    def test_it_refuses_fewer_than_twelve_characters(self, user):
        assert "password_too_short" in refused("Kestrel-Fo1", user)


@pytest.mark.django_db
def test_a_provider_user_must_satisfy_every_council_they_work_for():
    provider = make_provider()
    make_contract(make_council(**NORTHSHIRE_RULES), provider)
    make_contract(make_council(**WESTBROOK_RULES), provider)
    user = make_user(provider=provider)
    # Long enough for one council, but no capital or digits for the other.
    assert {"password_no_capital", "password_no_digit"} <= refused("kestrel lantern pebble", user)
    # Meets the other's composition rules but is under 12 characters.
    assert "password_too_short" in refused("Kestrel-F71", user)
    validate_password("Kestrel-Lantern-71", user)


@pytest.mark.django_db
def test_it_always_refuses_a_common_password():
    user = make_user(council=make_council(password_min_length=8))
    with pytest.raises(ValidationError):
        validate_password("password123", user)


@pytest.mark.django_db
def test_it_refuses_the_users_own_name_or_email():
    user = make_user(council=make_council())
    assert "password_personal" in refused(f"{user.last_name}-Harbour-99", user)
    assert "password_personal" in refused(f"{user.email.split('@')[0]}-Harbour-99", user)


@pytest.mark.django_db
def test_it_accepts_a_password_of_64_characters_and_more_without_truncating():
    from carebridge.accounts.services import password_change

    user = make_user(council=make_council())
    long_password = "Correct horse battery staple, " * 4  # 120 characters
    assert len(long_password) <= PASSWORD_MAX_LENGTH
    password_change(user=user, new_password=long_password, by=user)
    user.refresh_from_db()
    assert user.check_password(long_password)
    assert not user.check_password(long_password[:64])


def test_outside_tests_passwords_are_hashed_with_argon2(tmp_path):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "carebridge.settings",
        "CAREBRIDGE_TESTING": "false",
        "CAREBRIDGE_DATA_DIR": str(tmp_path),
    }
    code = "from django.conf import settings; print(settings.PASSWORD_HASHERS[0])"
    result = subprocess.run(
        [sys.executable, "-m", "carebridge", "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert (
        result.stdout.strip().splitlines()[-1] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    )


@pytest.mark.django_db
def test_the_hint_states_each_councils_rules_in_plain_words():
    from carebridge.accounts.passwords import password_rules

    user = make_user(council=make_council(**NORTHSHIRE_RULES))
    assert password_rules(user)[:4] == [
        "Use at least 9 characters.",
        "Include at least 1 capital letter.",
        "Include at least 1 letter.",
        "Include at least 2 numbers.",
    ]
    assert (
        password_rules(make_user(council=make_council(**WESTBROOK_RULES)))[0]
        == "Use at least 12 characters."
    )
