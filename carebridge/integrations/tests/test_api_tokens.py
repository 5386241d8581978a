"""API keys: made and revoked from the command line, checked on every call."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from carebridge.audit.models import Event
from carebridge.core.calendar import now
from carebridge.integrations.models import ApiToken
from carebridge.integrations.services import api_token_create, key_hash
from tests.support import make_council

pytestmark = pytest.mark.django_db

LIST = "/api/v1/referrals/"


def get(key: str, keyword: str = "Bearer"):
    return APIClient().get(LIST, HTTP_AUTHORIZATION=f"{keyword} {key}")


def run(name: str, *args: str) -> str:
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def test_it_makes_a_key_and_prints_it_once():
    council = make_council()

    out = run("api_token_create", "--council", council.slug, "--name", "Case management")

    token = ApiToken.objects.get(council=council)
    key = next(line for line in out.splitlines() if line.startswith(token.prefix))
    assert token.name == "Case management"
    assert token.key_hash == key_hash(key)
    assert "cannot be shown again" in out
    assert get(key).status_code == 200
    assert Event.objects.filter(action="api_token.created").exists()


def test_it_refuses_an_unknown_council():
    make_council()
    with pytest.raises(CommandError, match="No council"):
        run("api_token_create", "--council", "nowhere", "--name", "Mosaic")
    assert not ApiToken.objects.exists()


def test_it_revokes_a_key_by_its_prefix():
    council = make_council()
    token, key = api_token_create(council=council, name="Mosaic", by=None)
    _kept, kept_key = api_token_create(council=council, name="Liquidlogic", by=None)

    out = run("api_token_revoke", "--council", council.slug, "--prefix", token.prefix)

    assert "Revoked" in out
    assert get(key).status_code == 401
    assert get(kept_key).status_code == 200
    again = run("api_token_revoke", "--council", council.slug, "--prefix", token.prefix)
    assert "already revoked" in again


def test_it_revokes_only_the_councils_own_keys():
    council, other = make_council(), make_council()
    token, key = api_token_create(council=other, name="Mosaic", by=None)

    with pytest.raises(CommandError, match="no API key"):
        run("api_token_revoke", "--council", council.slug, "--prefix", token.prefix)
    assert get(key).status_code == 200


def test_it_asks_for_enough_of_the_key_to_tell_keys_apart():
    council = make_council()
    api_token_create(council=council, name="Mosaic", by=None, key="abcd1111" + "x" * 30)
    api_token_create(council=council, name="Liquidlogic", by=None, key="abcd2222" + "y" * 30)

    with pytest.raises(CommandError, match="at least"):
        run("api_token_revoke", "--council", council.slug, "--prefix", "abc")
    with pytest.raises(CommandError, match="More than one"):
        run("api_token_revoke", "--council", council.slug, "--prefix", "abcd")
    run("api_token_revoke", "--council", council.slug, "--prefix", "abcd2222" + "y" * 30)
    assert list(
        ApiToken.objects.filter(revoked_at__isnull=False).values_list("name", flat=True)
    ) == ["Liquidlogic"]


def test_it_accepts_the_token_keyword_as_well_as_bearer():
    _token, key = api_token_create(council=make_council(), name="Mosaic", by=None)

    assert get(key, keyword="Token").status_code == 200
    assert get(key, keyword="bearer").status_code == 200


def test_it_refuses_a_malformed_authorization_header():
    response = APIClient().get(LIST, HTTP_AUTHORIZATION="Bearer two words")

    assert response.status_code == 401
    assert response.json()["error"]["status"] == 401


def test_it_records_when_a_key_was_last_used_at_most_once_a_minute():
    token, key = api_token_create(council=make_council(), name="Mosaic", by=None)

    get(key)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    get(key)
    token.refresh_from_db()
    assert token.last_used_at == first

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now() - timedelta(minutes=5))
    get(key)
    token.refresh_from_db()
    assert token.last_used_at > now() - timedelta(minutes=1)


def test_a_new_key_is_64_hex_digits_so_its_prefix_never_looks_like_an_option():
    council = make_council()
    for _ in range(20):
        _token, key = api_token_create(council=council, name="Mosaic", by=None)
        assert len(key) == 64
        assert all(ch in "0123456789abcdef" for ch in key)
