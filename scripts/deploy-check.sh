#!/usr/bin/env bash
# Follows docs/deploy.md on this machine, on loopback, and smoke-tests the result: a release
# exported by `git archive` (no .git), a fresh PostgreSQL database with its owner and application
# roles, Redis db 2, production settings, the systemd units verified, gunicorn and one Huey
# consumer started by their units' ExecStart lines (no systemd here), nginx with TLS in front, then
# requests over HTTPS and plain HTTP, a log-in, a queued e-mail, a backup restored into a second
# database and the access logs read for tokens. Each step prints PASS or FAIL (or SKIP, with the
# reason, where this machine cannot show it); any FAIL makes the exit status 1.
# Everything it starts or creates is stopped and removed on exit (KEEP=1 keeps the temp dir).
#
# Needs PostgreSQL (trust auth for PG_USER on PG_HOST), Redis on 127.0.0.1:6379, nginx, openssl,
# curl, git, and the project's .venv with built assets (`make install assets`). Ports 18001
# (gunicorn), 18043 (HTTPS) and 18080 (HTTP), or WEB_PORT, TLS_PORT and HTTP_PORT. The release is
# HEAD (RELEASE_REF): commit what you want checked.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

PG_HOST="${PG_HOST:-127.0.0.1}"
PG_USER="${PG_USER:-postgres}"
DB="carebridge_deploycheck_$$"
DB_RESTORED="${DB}_restored"
# docs/deploy.md's two database roles (deploy/postgres-roles.sql), named for this run.
DB_OWNER="${DB}_owner"
DB_APP="${DB}_app"
REDIS_DB="${REDIS_DB:-2}"
WEB_PORT="${WEB_PORT:-18001}"
TLS_PORT="${TLS_PORT:-18043}"
HTTP_PORT="${HTTP_PORT:-18080}"
HOST=portal.example.org
BASE="https://${HOST}:${TLS_PORT}"
TMP="$(mktemp -d /tmp/carebridge-deploycheck.XXXXXX)"
failures=0
gunicorn_pid="" worker_pid="" clamd_pid=""

say() { printf '%s\n' "$*"; }
pass() { say "PASS  $1"; }
skip() { say "SKIP  $1 ($2)"; }
fail() {
    say "FAIL  $1${2:+ ($2)}"
    failures=$((failures + 1))
}
# Runs a command quietly (its output goes to steps.log) and reports it as one step.
step() {
    local name="$1"
    shift
    say "---- $name: $*" >>"$TMP/steps.log"
    if "$@" >>"$TMP/steps.log" 2>&1; then pass "$name"; else fail "$name" "see steps.log"; fi
}

cleanup() {
    [[ -f "$TMP/nginx/nginx.pid" ]] && kill "$(cat "$TMP/nginx/nginx.pid")" 2>/dev/null
    [[ -n "$gunicorn_pid" ]] && kill "$gunicorn_pid" 2>/dev/null
    [[ -n "$clamd_pid" ]] && kill "$clamd_pid" 2>/dev/null
    [[ -n "$worker_pid" ]] && kill -INT "$worker_pid" 2>/dev/null
    sleep 2
    [[ -n "$worker_pid" ]] && kill -KILL "$worker_pid" 2>/dev/null
    dropdb -h "$PG_HOST" -U "$PG_USER" --if-exists --force "$DB" 2>/dev/null
    dropdb -h "$PG_HOST" -U "$PG_USER" --if-exists --force "$DB_RESTORED" 2>/dev/null
    dropuser -h "$PG_HOST" -U "$PG_USER" --if-exists "$DB_APP" 2>/dev/null
    dropuser -h "$PG_HOST" -U "$PG_USER" --if-exists "$DB_OWNER" 2>/dev/null
    redis-cli -n "$REDIS_DB" flushdb >/dev/null 2>&1
    if [[ "${KEEP:-0}" == 1 ]]; then say "kept $TMP"; else rm -rf "$TMP"; fi
    say ""
    if ((failures)); then say "deploy check: $failures step(s) FAILED"; else say "deploy check: all steps PASSED"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- The release of docs/deploy.md, "Install": exported by git archive, so no .git ------------
# Built the guide's way except for what `make install assets` makes, which this machine already
# has: the checkout's .venv (linked) and built styles (copied). PYTHONPATH points the .venv's
# imports at the release rather than the checkout it was installed from.
mkdir -p "$TMP/data" "$TMP/logs" "$TMP/tls" "$TMP/nginx" "$TMP/acme" "$TMP/clamav"
RELEASE="$TMP/release/carebridge"
build_release() {
    mkdir -p "$TMP/release" &&
        git -C "$ROOT" archive --format=tar --prefix=carebridge/ "${RELEASE_REF:-HEAD}" |
        tar -x -C "$TMP/release" &&
        ln -s "$ROOT/.venv" "$RELEASE/.venv" && cp -r "$ROOT/build" "$RELEASE/build"
}
step "release exported by git archive ${RELEASE_REF:-HEAD}" build_release
BIN="$RELEASE/.venv/bin"
export PYTHONPATH="$RELEASE"
no_git() {
    local found
    found="$(find "$RELEASE" \( -name .git -o -name .svn -o -name .hg \) -print)"
    [[ -n "$found" ]] && say "$found"
    [[ -z "$found" ]]
}
step "the release holds no source control metadata (.git)" no_git
runs_release() {
    local file
    file="$(cd / && "$BIN/python" -c 'import carebridge; print(carebridge.__file__)')"
    say "$file"
    [[ "$file" == "$RELEASE/"* ]]
}
step "the application imports the release, not the checkout" runs_release

# clamd as docs/deploy.md's CLAMD_ADDRESS asks (Debian's clamav-daemon). Its signatures come from
# freshclam in production; here, offline, one signature: the EICAR test file's.
if [[ -x /usr/sbin/clamd ]]; then
    python3 -c 'import hashlib, sys
e = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
print(f"{hashlib.md5(e).hexdigest()}:{len(e)}:DeployCheck.EICAR")' >"$TMP/clamav/eicar.hdb"
    printf '%s\n' "LocalSocket $TMP/clamav/clamd.sock" "Foreground yes" \
        "DatabaseDirectory $TMP/clamav" "TemporaryDirectory $TMP/clamav" \
        "LogFile $TMP/logs/clamd.log" "StreamMaxLength 210M" >"$TMP/clamav/clamd.conf"
    /usr/sbin/clamd --config-file "$TMP/clamav/clamd.conf" >/dev/null 2>&1 &
    clamd_pid=$!
fi
cat >"$TMP/carebridge.env" <<EOF
DJANGO_SETTINGS_MODULE=carebridge.settings
CAREBRIDGE_DATA_DIR=$TMP/data
DATABASE_URL=postgres://${DB_APP}@${PG_HOST}:5432/${DB}
REDIS_URL=redis://127.0.0.1:6379/${REDIS_DB}
SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(64))')
DEBUG=false
HTTPS=true
BEHIND_PROXY=true
ALLOWED_HOSTS=${HOST}
CSRF_TRUSTED_ORIGINS=${BASE}
SITE_URL=${BASE}
EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend
DEFAULT_FROM_EMAIL="Carebridge <no-reply@${HOST}>"
GUNICORN_BIND=127.0.0.1:${WEB_PORT}
GUNICORN_WORKERS=2
CLAMD_ADDRESS=unix://$TMP/clamav/clamd.sock
EOF
# docs/deploy.md: the file holds the secrets, readable by root and the service's group only.
chmod 0640 "$TMP/carebridge.env"
set -a
# shellcheck disable=SC1091
source "$TMP/carebridge.env"
set +a
unset CAREBRIDGE_TESTING CAREBRIDGE_DEMO STATIC_ROOT
cb() { "$BIN/carebridge" "$@"; }
# docs/deploy.md, "PostgreSQL": the release runs migrations as the database's owner; the
# application's role only reads and writes rows.
OWNER_URL="postgres://${DB_OWNER}@${PG_HOST}:5432/${DB}"
as_owner() { DATABASE_URL="$OWNER_URL" "$@"; }
redis-cli -n "$REDIS_DB" flushdb >/dev/null 2>&1

# --- Release: database, checks, migrations, static files, demo data --------------------------
clamd_answers() {
    local i
    for i in $(seq 60); do
        python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(2); s.connect(sys.argv[1]); s.sendall(b"zPING\0")
sys.exit(s.recv(16).rstrip(b"\0") != b"PONG")' "$TMP/clamav/clamd.sock" 2>/dev/null && return 0
        sleep 1
    done
    return 1
}
step "clamd answers on CLAMD_ADDRESS (clamav-daemon installed)" clamd_answers
step "database $DB and its two roles (deploy/postgres-roles.sql)" psql -X -q -v ON_ERROR_STOP=1 \
    -h "$PG_HOST" -U "$PG_USER" -d postgres -v owner="$DB_OWNER" -v app="$DB_APP" -v db="$DB" \
    -f "$RELEASE/deploy/postgres-roles.sql"
step "carebridge check --deploy (no warnings)" cb check --deploy --fail-level WARNING
step "migrate, as the database's owner" as_owner cb migrate --noinput
step "collectstatic (WhiteNoise manifest)" cb collectstatic --noinput
step "staticfiles.json written" test -s "$TMP/data/static/staticfiles.json"
step "seed_demo" cb seed_demo
# docs/security.md 13.2.2: the application's role can change rows, never the schema.
app_sql() { psql -X -At -v ON_ERROR_STOP=1 -h "$PG_HOST" -U "$DB_APP" -d "$DB" -c "$1"; }
app_role_is_plain() {
    [[ "$(app_sql "select rolsuper or rolcreaterole or rolcreatedb or rolbypassrls from pg_roles where rolname = current_user")" == f ]] &&
        [[ "$(app_sql "select count(*) from pg_tables where tableowner = current_user")" == 0 ]]
}
step "the application's role is no superuser and owns no table" app_role_is_plain
app_refused() { ! app_sql "$1"; }
step "the application's role cannot turn off the audit log's triggers" app_refused \
    "alter table audit_event disable trigger all"
step "the application's role cannot create or drop a table" eval \
    'app_refused "create table deploycheck (id int)" && app_refused "drop table django_session"'

# --- Processes: the systemd units of deploy/systemd --------------------------------------------
# The units as this host would install them: the release in $ROOT instead of /srv/carebridge, the
# check's environment file instead of /etc/carebridge's, backups under $TMP. systemd-analyze
# verify reads every directive and checks each command exists; it exits 0 on a directive it
# cannot parse (it only warns), so any output at all fails the step.
mkdir -p "$TMP/systemd" "$TMP/backups"
for unit in "$ROOT"/deploy/systemd/*; do
    sed -e "s#/srv/carebridge#$RELEASE#g" -e "s#/etc/carebridge/carebridge.env#$TMP/carebridge.env#g" \
        -e "s#/var/backups/carebridge#$TMP/backups#g" "$unit" >"$TMP/systemd/${unit##*/}"
done
units_verify() {
    local out
    out="$(systemd-analyze verify "$TMP"/systemd/*.service "$TMP"/systemd/*.timer 2>&1)"
    local status=$?
    [[ -n "$out" ]] && say "$out"
    [[ $status -eq 0 && -z "$out" ]]
}
if command -v systemd-analyze >/dev/null; then
    step "systemd-analyze verify deploy/systemd (no warning)" units_verify
else
    fail "systemd-analyze verify deploy/systemd" "systemd-analyze is not installed"
fi
# docs/security.md 13.2.2: every unit runs as the unprivileged carebridge user, never root.
units_unprivileged() {
    local unit
    for unit in "$TMP"/systemd/*.service; do
        grep -qx "User=carebridge" "$unit" && grep -qx "Group=carebridge" "$unit" || {
            say "$unit runs as: $(grep -E '^(User|Group)=' "$unit" | tr '\n' ' ')"
            return 1
        }
    done
}
step "every unit runs as the carebridge user and group" units_unprivileged
# A unit's ExecStart line, as the shell words systemd would run (no systemd here to start it).
unit_exec() { sed -n 's/^ExecStart=//p' "$TMP/systemd/$1"; }
read -ra web_command <<<"$(unit_exec carebridge-web.service)"
read -ra worker_command <<<"$(unit_exec carebridge-worker.service)"
# Started as the units would be: in their WorkingDirectory, and, when this check runs as root,
# as an unprivileged user like the units' User= (nobody here), if that user gets the same
# interpreter (not another Python found when the .venv's own is out of its reach).
as_user=()
interpreter() { "$@" "$BIN/python" -c 'import sys; print(sys.base_prefix)' 2>/dev/null; }
if ((EUID == 0)) && [[ "$(interpreter setpriv --reuid=nobody --regid=nogroup --clear-groups)" == "$(interpreter)" ]]; then
    as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
    chown -R nobody:nogroup "$TMP/data"
    # The release and the environment's paths are in the temp dir: nobody must pass through it.
    chmod 711 "$TMP"
fi
cd "$RELEASE" || exit 1
"${as_user[@]}" "${web_command[@]}" >"$TMP/logs/gunicorn.log" 2>&1 &
gunicorn_pid=$!
"${as_user[@]}" "${worker_command[@]}" >"$TMP/logs/worker.log" 2>&1 &
worker_pid=$!
cd "$ROOT" || exit 1
wait_for_web() {
    local i
    for i in $(seq 60); do
        curl -s -o /dev/null "http://127.0.0.1:${WEB_PORT}/healthz" && return 0
        sleep 1
    done
    return 1
}
step "gunicorn answers on 127.0.0.1:${WEB_PORT}" wait_for_web
"$BIN/gunicorn" -c "$RELEASE/deploy/gunicorn.conf.py" --print-config carebridge.wsgi \
    >"$TMP/gunicorn-config" 2>>"$TMP/steps.log"
step "gunicorn runs the redacting logger" grep -q "carebridge.core.logs.GunicornLogger" \
    "$TMP/gunicorn-config"
# The processes' user: not root. This machine may hold the interpreter where only root reaches
# it (a home directory of mode 0700): then that is said, not hidden.
processes_unprivileged() {
    local pid user
    for pid in "$gunicorn_pid" "$worker_pid"; do
        user="$(ps -o user= -p "$pid")"
        say "process $pid runs as $user"
        [[ -n "$user" && "$user" != root ]] || return 1
    done
}
if ((EUID != 0)) || ((${#as_user[@]})); then
    step "gunicorn and the consumer run as an unprivileged user" processes_unprivileged
else
    skip "gunicorn and the consumer run as an unprivileged user" \
        "run as root, and no other user can reach the interpreter $(readlink -f "$BIN/python")"
fi

# --- The host's clock (docs/deploy.md, "Time"; docs/security.md 16.2.2) ------------------------
ntp="$(timedatectl show -p NTPSynchronized --value 2>&1)"
if [[ "$ntp" == yes ]]; then
    pass "the clock is synchronised by NTP (timedatectl: NTPSynchronized=yes)"
elif [[ "$ntp" == no ]]; then
    fail "the clock is synchronised by NTP" "timedatectl: NTPSynchronized=no"
else
    skip "the clock is synchronised by NTP" "timedatectl cannot answer here, no systemd (a container keeps its host's clock): ${ntp//$'\n'/ }"
fi

# --- nginx with a self-signed certificate, from deploy/nginx/carebridge.conf ------------------
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=${HOST}" \
    -addext "subjectAltName=DNS:${HOST}" -keyout "$TMP/tls/key.pem" -out "$TMP/tls/cert.pem" \
    >>"$TMP/steps.log" 2>&1
sed -e "s|listen 80;|listen 127.0.0.1:${HTTP_PORT};|" \
    -e "s|listen 443 ssl|listen 127.0.0.1:${TLS_PORT} ssl|" \
    -e '/listen \[::\]/d' \
    -e "s|/etc/letsencrypt/live/portal.example.org/fullchain.pem|$TMP/tls/cert.pem|" \
    -e "s|/etc/letsencrypt/live/portal.example.org/privkey.pem|$TMP/tls/key.pem|" \
    -e "s|/var/log/nginx/|$TMP/logs/nginx-|" \
    -e "s|/var/www/letsencrypt|$TMP/acme|" \
    -e "s|server 127.0.0.1:8001;|server 127.0.0.1:${WEB_PORT};|" \
    -e "s|portal.example.org|${HOST}|g" \
    "$RELEASE/deploy/nginx/carebridge.conf" >"$TMP/nginx/carebridge.conf"
# As root, nginx's workers run as nobody: they need to pass through the temp dir.
chmod 711 "$TMP" "$TMP/nginx"
cat >"$TMP/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/logs/nginx-main.error.log;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    client_body_temp_path $TMP/nginx/body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    access_log $TMP/logs/nginx-other.access.log;
    include $TMP/nginx/carebridge.conf;
}
EOF
step "nginx -t" /usr/sbin/nginx -t -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx/"
step "nginx starts on 127.0.0.1:${TLS_PORT}" /usr/sbin/nginx -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx/"

# --- TLS versions (docs/security.md, 12.1.1) ---------------------------------------------------
# The client is let down to security level 0, or OpenSSL 3 would not even offer TLS 1.1: the
# refusal must be nginx's.
tls_handshake() {
    openssl s_client -connect "127.0.0.1:${TLS_PORT}" -servername "${HOST}" "$1" \
        -cipher 'DEFAULT:@SECLEVEL=0' </dev/null
}
tls_refused() { ! tls_handshake "$1"; }
step "a TLS 1.1 handshake is refused" tls_refused -tls1_1
step "a TLS 1.2 handshake completes" tls_handshake -tls1_2
step "a TLS 1.3 handshake completes" tls_handshake -tls1_3
weak_refused() {
    ! openssl s_client -connect "127.0.0.1:${TLS_PORT}" -servername "${HOST}" -tls1_2 \
        -cipher 'AES128-SHA:@SECLEVEL=0' </dev/null
}
step "a weak TLS 1.2 suite (AES128-SHA, no forward secrecy) is refused" weak_refused

# --- Smoke test over HTTPS ---------------------------------------------------------------------
JAR="$TMP/cookies"
# GET or POST through nginx; headers to $TMP/h, body to $TMP/b; prints the status.
req() {
    curl -sS --cacert "$TMP/tls/cert.pem" --resolve "${HOST}:${TLS_PORT}:127.0.0.1" \
        -b "$JAR" -c "$JAR" -D "$TMP/h" -o "$TMP/b" -w '%{http_code}' \
        -H "Origin: ${BASE}" "$@" 2>>"$TMP/steps.log"
}
header() { grep -i "^$1:" "$TMP/h" | head -1 | tr -d '\r'; }
csrf() { sed -n 's/.*name="csrfmiddlewaretoken" value="\([^"]*\)".*/\1/p' "$TMP/b" | head -1; }
expect() { # name, wanted, got
    if [[ "$3" == "$2" ]]; then pass "$1"; else fail "$1" "got ${3:-nothing}, wanted $2"; fi
}

expect "GET /healthz over HTTPS is 200" 200 "$(req "$BASE/healthz")"
expect "plain HTTP is sent to HTTPS (301)" 301 "$(curl -s -o /dev/null -w '%{http_code}' \
    -H "Host: ${HOST}" "http://127.0.0.1:${HTTP_PORT}/healthz")"
# docs/security.md 4.1.2: the API over plain HTTP is refused, not redirected (a client following
# the redirect would have sent its key in clear): by nginx's port 80, and by Django itself for a
# request the proxy says came over plain HTTP.
plain_api() { # url, then curl's other words; the status, the body in $TMP/b, headers in $TMP/h
    local url="$1"
    shift
    curl -s -D "$TMP/h" -o "$TMP/b" -w '%{http_code}' -H "Host: ${HOST}" \
        -H "Authorization: Bearer $(printf '0%.0s' {1..64})" "$@" "$url"
}
api_refused() { # name, status
    if [[ "$2" == 403 ]] && [[ -z "$(header location)" ]] &&
        python3 -c 'import json, sys; e = json.load(open(sys.argv[1]))["error"]
sys.exit(not (e["status"] == 403 and e["message"].startswith("Use HTTPS")))' "$TMP/b" 2>>"$TMP/steps.log"; then
        pass "$1"
    else
        fail "$1" "got $2 $(header location) $(head -c 200 "$TMP/b")"
    fi
}
api_refused "nginx's port 80 refuses the API with a JSON 403, no redirect" \
    "$(plain_api "http://127.0.0.1:${HTTP_PORT}/api/v1/referrals/")"
api_refused "gunicorn refuses the API over plain HTTP with the same JSON 403" \
    "$(plain_api "http://127.0.0.1:${WEB_PORT}/api/v1/referrals/" -H "X-Forwarded-Proto: http")"
expect "gunicorn still redirects a page over plain HTTP (301)" 301 "$(curl -s -o /dev/null \
    -w '%{http_code}' -H "Host: ${HOST}" -H "X-Forwarded-Proto: http" \
    "http://127.0.0.1:${WEB_PORT}/accounts/login/")"
expect "the API over HTTPS asks for its key (401)" 401 "$(req "$BASE/api/v1/referrals/")"
expect "log-in page is 200" 200 "$(req "$BASE/accounts/login/")"
[[ -n "$(header content-security-policy)" ]] && pass "log-in page has a CSP" \
    || fail "log-in page has a CSP"
hsts="$(header strict-transport-security)"
[[ "$hsts" == *"max-age=31536000"* ]] && pass "log-in page has HSTS ($hsts)" \
    || fail "log-in page has HSTS" "$hsts"

css="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["paths"]["app.css"])' \
    "$TMP/data/static/staticfiles.json" 2>>"$TMP/steps.log")"
expect "static file /static/${css} is 200" 200 "$(req "$BASE/static/${css}")"
cache="$(header cache-control)"
[[ "$cache" == *"max-age=315360000"* ]] && pass "static file cached long ($cache)" \
    || fail "static file cached long" "$cache"

# A full log-in as a demo user: password, then the 6-digit passcode, then home.
USER_EMAIL="${DEMO_USER:-broker@northshire.example}"
read -r PASSWORD PASSCODE < <("$BIN/python" -c \
    'from carebridge.demo.credentials import DEMO_PASSWORD as a, DEMO_PASSCODE as b; print(a, b)')
req "$BASE/accounts/login/" >/dev/null
code="$(req -e "$BASE/accounts/login/" --data-urlencode "csrfmiddlewaretoken=$(csrf)" \
    --data-urlencode "email=${USER_EMAIL}" --data-urlencode "password=${PASSWORD}" \
    "$BASE/accounts/login/")"
expect "log-in: password accepted (302 to the second step)" 302 "$code"
second="$(header location | sed 's/^[Ll]ocation: //')"
req "$BASE${second#"$BASE"}" >/dev/null
code="$(req -e "$BASE/accounts/login/second-step/" --data-urlencode "csrfmiddlewaretoken=$(csrf)" \
    --data-urlencode "passcode=${PASSCODE}" "$BASE/accounts/login/second-step/")"
expect "log-in: passcode accepted (302)" 302 "$code"
expect "home page is 200 when logged in" 200 "$(req "$BASE/")"
grep -q "Log out" "$TMP/b" && pass "home page shows Log out" || fail "home page shows Log out"

# A queued task run by the consumer: a password-reset e-mail (console backend, worker's log).
rm -f "$JAR"
req "$BASE/accounts/reset/" >/dev/null
code="$(req -e "$BASE/accounts/reset/" --data-urlencode "csrfmiddlewaretoken=$(csrf)" \
    --data-urlencode "email=${USER_EMAIL}" --data-urlencode "purpose=password" \
    "$BASE/accounts/reset/")"
expect "password reset requested (302)" 302 "$code"
mail_sent() {
    local i
    for i in $(seq 30); do
        grep -q "Subject: Reset your Carebridge password" "$TMP/logs/worker.log" && return 0
        sleep 1
    done
    return 1
}
step "Huey consumer sent the reset e-mail" mail_sent
# docs/security.md 13.2.2: what the web and the consumer hold open is the application's role.
connected_as() {
    psql -X -At -h "$PG_HOST" -U "$PG_USER" -d postgres -c "select string_agg(distinct usename,
        ',') from pg_stat_activity where datname = '$DB'"
}
expect "the web and the consumer connect as the application's role only" "$DB_APP" \
    "$(connected_as 2>>"$TMP/steps.log")"
reset_token="$(grep -o "/accounts/reset/password/[^/ ]*/" "$TMP/logs/worker.log" | head -1 \
    | cut -d/ -f5)"

# Token URLs never reach the access logs: the e-mailed reset link and a set-up link.
setup_token="$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
req "$BASE/accounts/set-up/${setup_token}/?t=${setup_token}" >/dev/null
[[ -n "$reset_token" ]] && req "$BASE/accounts/reset/password/${reset_token}/" >/dev/null
sleep 1
# gunicorn's output holds its access lines ("<address> [<time>] ...") and, under them, what
# Django's own loggers write (a 404's "Not Found: <path>"): both go to the journal.
grep -E '^[0-9a-f.:]+ \[' "$TMP/logs/gunicorn.log" >"$TMP/logs/gunicorn-access.log"
grep -vE '^[0-9a-f.:]+ \[' "$TMP/logs/gunicorn.log" >"$TMP/logs/gunicorn-other.log"
tokens=(-e "$setup_token")
[[ -n "$reset_token" ]] && tokens+=(-e "$reset_token")
for log in nginx-carebridge.access.log gunicorn-access.log; do
    if grep -qF "${tokens[@]}" "$TMP/logs/$log"; then
        fail "$log carries no token"
    elif ! grep -qF "/accounts/set-up/[redacted]/" "$TMP/logs/$log"; then
        fail "$log carries no token" "the set-up request is not logged at all"
    else
        pass "$log carries no token (set-up${reset_token:+ and reset} links logged as [redacted])"
    fi
done
leak="$(grep -hF "${tokens[@]}" "$TMP/logs/gunicorn-other.log" | head -1)"
leak="${leak//$setup_token/<token>}"
[[ -n "$reset_token" ]] && leak="${leak//$reset_token/<token>}"
[[ -z "$leak" ]] && pass "Django's log lines in the journal carry no token" \
    || fail "Django's log lines in the journal carry no token" "$leak"

# nginx's error log names the whole request line of an upstream failure, which it cannot redact:
# the token doors log only critical errors there. With gunicorn stopped, a token link and a page
# both fail (502); the page's failure is in the error log (errors are logged), the token is not.
kill "$gunicorn_pid" 2>/dev/null
wait "$gunicorn_pid" 2>/dev/null
gunicorn_pid=""
down_token="$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
code_token="$(req "$BASE/accounts/set-up/${down_token}/")"
code_page="$(req "$BASE/accounts/login/?upstream-down-check")"
sleep 1
if [[ "$code_token $code_page" != "502 502" ]]; then
    fail "nginx's error log carries no token" "with gunicorn stopped: $code_token $code_page, not 502 502"
elif grep -qF "$down_token" "$TMP/logs/nginx-carebridge.error.log"; then
    fail "nginx's error log carries no token" "an upstream failure's line names the token"
elif ! grep -qF "upstream-down-check" "$TMP/logs/nginx-carebridge.error.log"; then
    fail "nginx's error log carries no token" "no upstream failure was logged at all"
else
    pass "nginx's error log carries no token (an upstream failure: the page's logged, the link's not)"
fi

# --- Backup and a tested restore (docs/deploy.md, "Backups") -----------------------------------
# The worker writes on its own schedule; stopped first so the two counts can be compared exactly.
kill -INT "$worker_pid" 2>/dev/null
wait "$worker_pid" 2>/dev/null
worker_pid=""
# The backup unit's own command (its continuation lines joined, systemd's $$ and %% escapes
# undone), run by the shell as systemd would; then the newest complete dump is the one restored.
backup_unit() {
    local command
    command="$(sed -n '/^ExecStart=/,/[^\\]$/p' "$TMP/systemd/carebridge-backup.service" |
        sed -e 's/^ExecStart=//' -e 's/\\$//' | tr -d '\n' | sed -e 's/\$\$/$/g' -e 's/%%/%/g')"
    # The command is `/bin/sh -ec '<script>'`: run its script.
    command="${command#/bin/sh -ec \'}"
    /bin/sh -ec "${command%\'}" && ! ls "$TMP"/backups/*.part 2>/dev/null &&
        cp "$(ls -t "$TMP"/backups/carebridge-*.dump | head -1)" "$TMP/backup.dump"
}
step "the backup unit's pg_dump -Fc (a complete dump, no .part left)" backup_unit
step "create database $DB_RESTORED" createdb -h "$PG_HOST" -U "$PG_USER" "$DB_RESTORED"
step "pg_restore into $DB_RESTORED" pg_restore --no-owner --exit-on-error \
    --dbname="postgres://${PG_USER}@${PG_HOST}:5432/${DB_RESTORED}" "$TMP/backup.dump"
step "carebridge check --deploy on the restored database" env \
    DATABASE_URL="postgres://${PG_USER}@${PG_HOST}:5432/${DB_RESTORED}" \
    "$BIN/carebridge" check --deploy --database default --fail-level WARNING
COUNT_ROWS="select table_name, (xpath('/row/c/text()', query_to_xml(format('select count(*) as c from %I', table_name), false, true, '')))[1]::text from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1"
psql -X -At -h "$PG_HOST" -U "$PG_USER" -d "$DB" -c "$COUNT_ROWS" >"$TMP/rows-live" 2>>"$TMP/steps.log"
psql -X -At -h "$PG_HOST" -U "$PG_USER" -d "$DB_RESTORED" -c "$COUNT_ROWS" >"$TMP/rows-restored" 2>>"$TMP/steps.log"
tables="$(wc -l <"$TMP/rows-live")"
rows="$(awk -F'|' '{s += $2} END {print s + 0}' "$TMP/rows-live")"
if [[ "$tables" -gt 0 ]] && cmp -s "$TMP/rows-live" "$TMP/rows-restored"; then
    pass "restored row counts equal the live ones ($tables tables, $rows rows)"
else
    fail "restored row counts equal the live ones" "$(diff "$TMP/rows-live" "$TMP/rows-restored" | head -5)"
fi

((failures)) && { say "--- last lines of steps.log"; grep -v "^[.+*-]*$" "$TMP/steps.log" | tail -15; }
exit $((failures > 0))
