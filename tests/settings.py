"""Settings for the test suite: the real settings, in testing mode (immediate Huey, fast hasher)."""

import os

os.environ["CAREBRIDGE_TESTING"] = "true"
# The test client and the browser tests' live server speak plain HTTP on loopback.
os.environ["HTTPS"] = "false"

from carebridge.settings import *  # noqa: F403

# Tests post far more than a person would, from one address, so rate limits are off here; the
# tests of the limits themselves turn them on (carebridge/core/tests/test_ratelimits.py).
RATELIMIT_ENABLE = False
