"""Gunicorn's settings for Carebridge: `gunicorn -c deploy/gunicorn.conf.py carebridge.wsgi`.

Each value can be changed by an environment variable (the systemd unit's EnvironmentFile) so the
same file serves one host, several hosts and the deploy check. See docs/deploy.md.
"""

import os

# nginx on the same host is the only client; never listen on a public address.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# Sync workers: each request holds one worker, so the count caps concurrent requests. Two per
# core, plus one, keeps the CPU busy while other workers wait on PostgreSQL.
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
# A request still running after this is killed and answers 502 through nginx. The slowest pages
# (a year's exports, the front-door figures) finish well inside it; nginx waits a little longer.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Restart each worker now and then, so a slow leak in a library cannot grow for weeks.
max_requests = 2000
max_requests_jitter = 200
# systemd starts, reloads (HUP) and stops gunicorn; no control socket in $HOME, which would be
# shared by every gunicorn of the same user.
control_socket_disable = True
# nginx on loopback is the only proxy whose X-Forwarded-* headers are believed.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Both logs to stdout and stderr, which systemd sends to the journal. The access line has the
# path without its query string (%(U)s, never %(r)s), and the logger class replaces the token
# segments of e-mailed links (resets, set-up, tracking, appointments) before it writes anything.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
logger_class = "carebridge.core.logs.GunicornLogger"
