"""The product's settings, with bench/urls.py as the URLconf: for bench/run.py's server only.

gunicorn runs with DJANGO_SETTINGS_MODULE=bench.settings (the project root on PYTHONPATH), so
the minimal logged-in view exists only in the benchmark, never in the product.
"""

from carebridge.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
