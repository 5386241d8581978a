"""The one client-credentials token request: the form posted as the adapter builds it, the
answer read strictly (a 200 with a bearer token that can go in a header), the token kept in the
cache until shortly before it expires, and the two refusals the adapters map to their errors."""

import json
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.core.cache import cache

from carebridge.integrations.oauth import (
    TokenRefused,
    TokenUnusable,
    client_credentials_token,
)

URL = "https://login.example.org/token"


@dataclass
class Answer:
    status: int
    body: bytes


@dataclass
class Endpoint:
    """A token endpoint that answers each request with the next planned answer."""

    answers: list[Answer]
    requests: list[urllib.request.Request] = field(default_factory=list)

    def send(self, request: urllib.request.Request) -> Answer:
        self.requests.append(request)
        return self.answers.pop(0)


def answer(status: int = 200, **body: object) -> Answer:
    return Answer(status, json.dumps(body).encode())


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def token(endpoint: Endpoint, *, fresh: bool = False) -> str:
    return client_credentials_token(
        token_url=URL,
        form=lambda: {"grant_type": "client_credentials", "client_id": "app"},
        cache_key="test-token",
        send=endpoint.send,
        user_agent="carebridge-test/1",
        margin=timedelta(minutes=1),
        fresh=fresh,
    )


def test_it_posts_the_form_and_keeps_the_token_until_shortly_before_it_expires():
    endpoint = Endpoint([answer(access_token="abc.def", token_type="Bearer", expires_in="599")])

    assert token(endpoint) == token(endpoint) == "abc.def"

    [request] = endpoint.requests
    assert request.get_method() == "POST" and request.full_url == URL
    assert request.get_header("Content-type") == "application/x-www-form-urlencoded"
    assert isinstance(request.data, bytes)
    assert parse_qs(request.data.decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": ["app"],
    }


def test_fresh_asks_again():
    endpoint = Endpoint([answer(access_token="one", expires_in=3599), answer(access_token="two")])

    assert token(endpoint) == "one"
    assert token(endpoint, fresh=True) == "two"


def test_a_token_without_a_lifetime_is_not_kept():
    endpoint = Endpoint([answer(access_token="one"), answer(access_token="two")])

    assert (token(endpoint), token(endpoint)) == ("one", "two")


def test_a_refusal_carries_the_status_and_the_oauth_reason_on_one_line():
    endpoint = Endpoint([answer(401, error="invalid_client", error_description="Bad\nsecret\x00")])

    with pytest.raises(TokenRefused) as refused:
        token(endpoint)

    assert (refused.value.status, refused.value.error) == (401, "invalid_client")
    assert refused.value.description == "Bad secret"
    assert str(refused.value) == "the token endpoint answered 401 invalid_client"


@pytest.mark.parametrize(
    "body",
    [
        {"expires_in": 599},
        {"access_token": ""},
        {"access_token": 12345},
        {"access_token": "two words"},
        {"access_token": "tab\there"},
        {"access_token": "x" * (16 * 1024 + 1)},
        {"access_token": "abc", "token_type": "mac"},
    ],
)
def test_an_answer_without_a_usable_bearer_token_is_refused(body):
    with pytest.raises(TokenUnusable):
        token(Endpoint([answer(**body)]))
    assert cache.get("test-token") is None


def test_an_answer_that_is_not_json_is_refused():
    with pytest.raises(TokenUnusable):
        token(Endpoint([Answer(200, b"<html>sign in</html>")]))
