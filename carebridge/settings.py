"""Django settings for Carebridge, configured from environment variables.

With no configuration at all it runs on SQLite with Huey's SQLite queue; DATABASE_URL and
REDIS_URL switch to PostgreSQL and Redis. Production (DEBUG off) is secure by default.
"""

import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from carebridge.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("CAREBRIDGE_DATA_DIR", str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("CAREBRIDGE_TESTING", False)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data directory."""
    configured = env_str("SECRET_KEY")
    if configured:
        if len(configured) < 50:
            raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long")
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.touch(mode=0o600)
        key_file.write_text(secrets.token_urlsafe(64))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
# A rolling change of SECRET_KEY (docs/deploy.md, "Keys and their rotation"): the old key, kept
# here for one session's longest life, still opens the sessions and signed values it made, so
# nobody is logged out by the change; comma-separated, each 50+ characters.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
if any(len(key) < 50 for key in SECRET_KEY_FALLBACKS):
    raise ImproperlyConfigured("each of SECRET_KEY_FALLBACKS must be at least 50 characters long")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
    "huey.contrib.djhuey",
    "crispy_forms",
    "crispy_forms_gds",
    "django_htmx",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_ratelimit",
    "pgtrigger",
    "carebridge.core",
    "carebridge.audit",
    "carebridge.organisations",
    "carebridge.notifications",
    "carebridge.accounts",
    "carebridge.people",
    "carebridge.integrations",
    "carebridge.referrals",
    "carebridge.contracts",
    "carebridge.actuals",
    "carebridge.actions",
    "carebridge.frontdoor",
    "carebridge.disputes",
    "carebridge.payments",
    "carebridge.reports",
    "carebridge.subjectaccess",
    "carebridge.retention",
    "carebridge.help",
    "carebridge.home",
    "carebridge.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # API calls over plain HTTP: 403, not the redirect (carebridge.core.middleware; ASVS 4.1.2).
    "carebridge.core.middleware.PlainHttpApiMiddleware",
    # TRACE and TRACK answered 405 before anything else (carebridge.core.errors).
    "carebridge.core.errors.RefuseTraceMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Who sent an upload, for the audit of an infected file (core/uploads.py).
    "carebridge.core.middleware.ActingRequestMiddleware",
    # Refused requests (403, 404 of an object, 429, CSRF) as security events (core.errors).
    "carebridge.core.errors.RefusalsMiddleware",
    "carebridge.core.middleware.UrlBoundsMiddleware",
    "carebridge.core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "carebridge.accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Turns a rate limit's refusal into the "too many requests" page (429).
    "django_ratelimit.middleware.RatelimitMiddleware",
]

# Pages of these URL namespaces show a person's data without a log-in (the public front door:
# answers, bookings, tracking), so NoStoreMiddleware keeps them out of every cache.
NO_STORE_NAMESPACES = ("care",)

# Off by default: adds Server-Timing and query counts to responses, for bench/ only.
SERVER_TIMING = env_bool("SERVER_TIMING", False)
if SERVER_TIMING:
    MIDDLEWARE.insert(0, "carebridge.core.middleware.ServerTimingMiddleware")

ROOT_URLCONF = "carebridge.urls"
WSGI_APPLICATION = "carebridge.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "carebridge" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "carebridge.home.context_processors.page_shell",
                "carebridge.help.context_processors.help_link",
            ],
            "builtins": [
                "carebridge.core.templatetags.govuk",
                "carebridge.core.templatetags.submissions",
                "carebridge.people.templatetags.people",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'carebridge.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the Huey consumer write at once in the demo: WAL and IMMEDIATE
    # transactions stop "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
HUEY = {
    "name": "carebridge",
    "immediate": TESTING,
    "consumer": {"workers": 2, "worker_type": "thread"},
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "huey.sqlite3")})

# The cache holds rate-limit counts (carebridge.core.ratelimits) and the once-a-run marks of
# periodic work (carebridge.core.periodic): Redis when configured, so every web process and worker
# shares them; else this process's memory, which is right only for one web process (the demo runs
# one gunicorn process with threads); `check --deploy` warns of it (carebridge.core.checks).
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    # Django's own Redis backend increments atomically; django-ratelimit lists only django-redis.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Local memory is shared by the threads of one process and increments under its lock.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
RATELIMIT_IP_META_KEY = "carebridge.core.ratelimits.client_ip"
RATELIMIT_VIEW = "carebridge.core.errors.too_many_requests"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["carebridge.accounts.backends.EmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests hash thousands of passwords.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The council rulebooks add their own rules (carebridge.accounts.passwords); these always apply.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "carebridge.accounts.passwords.RulebookPasswordValidator"},
    {"NAME": "carebridge.accounts.passwords.PersonalDetailsPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "carebridge.accounts.passwords.BreachedPasswordValidator"},
]
# A Pwned Passwords range API (https://api.pwnedpasswords.com/range/): a new password found
# there is refused; unset, none is checked (docs/security.md 6.2.12 says why it is not default).
PWNED_PASSWORDS_URL = env_str("PWNED_PASSWORDS_URL")

# Sessions end after 30 minutes idle (IdleTimeoutMiddleware) and when the browser closes.
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
# ... and 12 hours after the log-in however busy (IdleTimeoutMiddleware; ASVS 7.3.2).
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
if not SESSION_IDLE_SECONDS < SESSION_ABSOLUTE_SECONDS <= 7 * 24 * 60 * 60:
    raise ImproperlyConfigured(
        "SESSION_ABSOLUTE_SECONDS must be longer than SESSION_IDLE_SECONDS and at most a week"
    )
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "carebridge.core.views.csrf_failure"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "build" / "static"]
# Uploaded files (action attachments) live in the data directory and are only ever served by
# views that check who may read them: there is no MEDIA_URL.
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
# An upload that fails part way (the disk full) leaves no part of itself (carebridge.core.storage).
STORAGES["default"]["BACKEND"] = "carebridge.core.storage.WholeFileStorage"

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# `make demo`: production settings (DEBUG off, gunicorn, WhiteNoise) served on plain HTTP on
# loopback, beside the simulator of the councils' systems, also on loopback. It lets outbound
# calls reach loopback (below), which production must never allow, so it refuses to start unless
# the whole site is plain HTTP on loopback: switched on by mistake on a server, nothing starts.
DEMO = env_bool("CAREBRIDGE_DEMO", False)
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}

# Production is HTTPS only; DEBUG (development) and the demo serve plain HTTP on loopback.
HTTPS = env_bool("HTTPS", not (DEBUG or DEMO))
if DEMO and (HTTPS or not ALLOWED_HOSTS or not set(ALLOWED_HOSTS) <= _LOOPBACK_HOSTS):
    raise ImproperlyConfigured(
        "CAREBRIDGE_DEMO serves plain HTTP on loopback only: it refuses HTTPS and any "
        f"ALLOWED_HOSTS beyond {sorted(_LOOPBACK_HOSTS)} (got HTTPS={HTTPS}, "
        f"ALLOWED_HOSTS={ALLOWED_HOSTS})"
    )
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    # A __Host- cookie is taken by browsers only when Secure, on Path=/ and with no Domain, so
    # no other host of the council's domain can set or widen it (ASVS 3.3.1).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
# Only browsers' pages are redirected to HTTPS: an API client following the redirect would have
# sent its key in clear already, so the API over plain HTTP is refused instead
# (carebridge.core.middleware.PlainHttpApiMiddleware refuses exactly what this exempts).
SECURE_REDIRECT_EXEMPT = [r"^api/"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG or DEMO
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Carebridge <no-reply@carebridge.invalid>")
# Links in e-mails (password resets) need the portal's public address.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Passkeys (django-otp-webauthn): the relying party is the site's own host, and a passkey is
# accepted only from the site's own origin (SITE_URL), unless these say otherwise. WebAuthn works
# only over https, or on plain http at "localhost" (never an IP address), so a plain-http site is
# taken to be a developer's machine at localhost.
_SITE = urlsplit(SITE_URL)
_LOCAL_ORIGIN = "http://localhost" + (f":{_SITE.port}" if _SITE.port else "")
OTP_WEBAUTHN_RP_ID = env_str(
    "WEBAUTHN_RP_ID", (_SITE.hostname or "localhost") if _SITE.scheme == "https" else "localhost"
)
OTP_WEBAUTHN_RP_NAME = env_str("WEBAUTHN_RP_NAME", "Carebridge")
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "WEBAUTHN_ORIGINS", [SITE_URL] if _SITE.scheme == "https" else [_LOCAL_ORIGIN]
)
# A passkey is a second step after the password here, never a log-in by itself.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# GOV.UK Notify, when EMAIL_BACKEND is carebridge.notifications.notify.NotifyEmailBackend: the
# service's API key and an e-mail template whose whole content is ((subject)) and ((body)).
NOTIFY_API_KEY = env_str("NOTIFY_API_KEY")
NOTIFY_TEMPLATE_ID = env_str("NOTIFY_TEMPLATE_ID")
NOTIFY_BASE_URL = env_str("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
# Addresses councils give us (CRM webhook, directory feed, case-management system, Dataverse)
# never reach loopback or private networks (carebridge.core.outbound). Tests, whose peers run on
# 127.0.0.1, turn this on, and so do a DEBUG server (`make dev`) and the demo (`make demo`),
# whose simulator of the councils' systems runs on loopback; it is deliberately not read from the
# environment itself, and the demo refuses to start anywhere but plain HTTP on loopback (above).
OUTBOUND_ALLOW_LOOPBACK = DEBUG or DEMO

# Files posted on actions.
ACTION_ATTACHMENT_MAX_BYTES = env_int("ACTION_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# Every upload is scanned by clamd when this names its socket (unix:///run/clamav/clamd.ctl or
# tcp://host:3310; carebridge.core.uploads): unanswered, uploads are refused; unset, not scanned
# (`check --deploy` warns). An Office file must open to less than the uncompressed limit.
CLAMD_ADDRESS = env_str("CLAMD_ADDRESS")
CLAMD_TIMEOUT = env_int("CLAMD_TIMEOUT", 30)
UPLOAD_MAX_UNCOMPRESSED_BYTES = env_int("UPLOAD_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024)
# Where the audit log's nightly anchor (its chain's head) is e-mailed as well as logged
# (carebridge.audit.anchors); unset, the security log line only.
AUDIT_ANCHOR_EMAIL = env_str("AUDIT_ANCHOR_EMAIL")

# LOG_FORMAT=json: every logger's lines are JSON objects like the security log's, for a log
# processor (ASVS 16.2.4); "text", the default, keeps plain lines for a person reading them.
LOG_FORMAT = env_str("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
_LINES = {"formatter": "json_lines"} if LOG_FORMAT == "json" else {}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Django's request lines name the path ("Not Found: /accounts/set-up/…/"): an e-mailed
    # link's token is redacted before any handler sees it (carebridge.core.logs).
    "filters": {"redact_tokens": {"()": "carebridge.core.logs.RedactTokens"}},
    # Security events (refusals: carebridge.core.errors) as JSON lines for a log processor.
    "formatters": {"json_lines": {"()": "carebridge.core.logs.JsonLines"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"], **_LINES},
        "security": {
            "class": "logging.StreamHandler",
            "formatter": "json_lines",
            "filters": ["redact_tokens"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # The Huey consumer adds a handler of its own; without this each line would print twice.
        "huey": {"propagate": False},
        "carebridge.security": {"handlers": ["security"], "level": "INFO", "propagate": False},
        # On the logger itself, so that the e-mails to ADMINS (django's mail_admins) are
        # redacted too.
        "django.request": {"filters": ["redact_tokens"]},
        "django.server": {
            "handlers": ["console"],
            "level": "INFO",
            "filters": ["redact_tokens"],
            "propagate": False,
        },
    },
}

# The REST API for councils' case-management systems: token-authenticated, JSON only, described
# by OpenAPI (Swagger UI served from the sidecar package, no CDN).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "carebridge.integrations.authentication.ApiTokenAuthentication"
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["carebridge.integrations.throttling.ApiTokenThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "carebridge.integrations.api.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Carebridge API",
    "DESCRIPTION": (
        "For councils' case-management systems (send referrals and follow their answers) and "
        "for providers' own systems under /api/v1/provider/ (answer referrals, read care "
        "packages, post actuals as JSON or the council's CSV layout, read disputes, invoices "
        "and payments)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
