"""The payments tests' world for their browser journeys: here, under tests/browser, they share
the one session's Chromium (a module importing the `chromium` fixture would start a second
Playwright inside the first's event loop)."""

from carebridge.payments.tests.conftest import clock, paying, world
from carebridge.payments.tests.test_variations import brokerage

__all__ = ["brokerage", "clock", "paying", "world"]
