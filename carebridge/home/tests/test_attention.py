import pytest

from carebridge.accounts.selectors import attention_for_accounts
from carebridge.actuals.selectors import actuals_attention_for
from carebridge.contracts.selectors import contract_attention_for
from carebridge.core import attention
from carebridge.core.attention import AttentionItem
from carebridge.frontdoor.requests.selectors import front_door_attention_for
from carebridge.organisations.selectors import change_request_attention_for
from carebridge.referrals.selectors import referral_attention_for


def test_it_reads_every_apps_source_in_the_home_pages_order() -> None:
    assert attention.sources() == [
        attention_for_accounts,
        referral_attention_for,
        contract_attention_for,
        change_request_attention_for,
        actuals_attention_for,
        front_door_attention_for,
    ]


def test_it_keeps_a_source_registered_twice_once() -> None:
    before = attention.sources()
    attention.register(referral_attention_for, order=20)
    assert attention.sources() == before


def test_it_places_a_source_by_its_order_not_by_when_it_registered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(attention, "_sources", [])

    def first(user: object) -> list[AttentionItem]:
        return [AttentionItem("first", 1, "/first")]

    def second(user: object) -> list[AttentionItem]:
        return []

    attention.register(second, order=20)
    attention.register(first, order=10)
    assert attention.sources() == [first, second]
