"""The product's settings, with bench/urls.py as the URLconf: for the bench's processes only.

gunicorn runs with DJANGO_SETTINGS_MODULE=bench.settings (the project root on PYTHONPATH), so
the minimal logged-in view exists only in the benchmark, never in the product. The load test's
stack (bench/load/stack.py) runs every process with it: its gunicorns, Huey consumers and the
council systems' simulator on loopback.
"""

from carebridge.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# The load test's outbox posts to the council systems' simulator on 127.0.0.1, which the product
# refuses (core.outbound) unless this is on; it is a setting, never an environment variable, so
# only a settings module like this one, never production's, can turn it on.
OUTBOUND_ALLOW_LOOPBACK = True
