"""The single sign-on tests' fixtures: a real OpenID Connect provider (oidc-provider-mock, in a
thread on loopback) and a council whose sign-on it is; no cache left from another test."""

import pytest
from django.core.cache import cache
from oidc_provider_mock import run_server_in_thread

from carebridge.accounts.models import SingleSignOn
from carebridge.accounts.tests.sso.support import CLIENT_ID, CLIENT_SECRET, issuer_of
from tests.support import (
    make_council,
)


@pytest.fixture(autouse=True)
def empty_cache():
    # Discovery documents, keys and used nonces are cached: each test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def idp():
    with run_server_in_thread() as server:
        yield issuer_of(server)


@pytest.fixture
def council(idp):
    council = make_council("Wrekinshire Council")
    SingleSignOn.objects.create(
        council=council,
        name="Wrekin Entra",
        issuer=idp,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    return council
