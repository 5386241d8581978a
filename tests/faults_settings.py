"""Settings of the processes the faults harness starts (tests/faults_harness.py): production's
own (DEBUG off, Huey on Redis, e-mail by SMTP, rate limits on), except that static files are
served from the build without collectstatic's manifest, which the harness does not make."""

from carebridge.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
