from django.test import override_settings

from carebridge.core.checks import shared_cache


@override_settings(REDIS_URL="", DEBUG=False, DEMO=False, TESTING=False)
def test_production_without_redis_is_warned_that_limits_multiply() -> None:
    assert [message.id for message in shared_cache()] == ["carebridge.W001"]


@override_settings(REDIS_URL="redis://127.0.0.1:6379/0", DEBUG=False, DEMO=False, TESTING=False)
def test_production_with_redis_passes() -> None:
    assert shared_cache() == []


@override_settings(REDIS_URL="", DEBUG=False, DEMO=True, TESTING=False)
def test_the_single_process_demo_passes() -> None:
    assert shared_cache() == []
