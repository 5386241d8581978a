"""The faults harness (issue 23): private parts the product runs on, each started, stopped and
broken by a test, never the machine's shared PostgreSQL or Redis.

- `PrivatePostgres`: a throw-away cluster made by Debian's initdb in a temporary directory, on a
  free port, run as the `postgres` user when the tests run as root (initdb refuses root);
  restarted with `pg_ctl restart -m fast` while a request is half done.
- `PrivateRedis`: `redis-server` with no persistence, stopped with SHUTDOWN NOSAVE (its queue
  is lost, as it would be) and started again empty.
- `SmtpServer`: a small SMTP server in a thread that refuses every connection (554) or takes
  every message, as told; it keeps what it took.
- `WebServer`: the product under gunicorn with deploy/gunicorn.conf.py and production settings
  (tests/faults_settings.py), optionally with a file-size limit (RLIMIT_FSIZE) so that a write
  past it fails with EFBIG, as on a full disk; `Consumer`: a Huey consumer.
- `Browser`: a person at a browser (requests), who logs in with both steps and posts forms with
  their tokens.

Every process the harness starts, it stops by its own handle.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("FAULTS_PG_BIN", "/usr/lib/postgresql/15/bin"))
# Where the harness looks for free ports (the lead gave this range to the faults work).
PORTS = os.environ.get("FAULTS_PORTS", "19100-19199")
SECRET_KEY = "faults-harness-" + "k" * 60


def free_port() -> int:
    """A port of the range that nothing listens on now."""
    low, high = (int(part) for part in PORTS.split("-"))
    # Each xdist worker looks in its own part of the range, so two never take the same port.
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    start = low + (worker * 25) % (high - low + 1)
    for port in [*range(start, high + 1), *range(low, start)]:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        if port not in _taken:
            _taken.add(port)
            return port
    raise RuntimeError(f"no free port in {PORTS}")


_taken: set[int] = set()


def wait_for(condition: Callable[[], Any], *, seconds: float, what: str) -> Any:
    """The condition's first true value within the time, else an AssertionError naming it."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds} seconds")
        time.sleep(0.1)


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


# PostgreSQL ------------------------------------------------------------------------------------


def postgres_missing() -> str | None:
    """Why a private cluster cannot be made here, or None."""
    if not (PG_BIN / "initdb").exists():
        return f"PostgreSQL's binaries are not in {PG_BIN} (apt-get install postgresql)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser, and initdb refuses root"
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root with no postgres user to run initdb as"
    return None


class PrivatePostgres:
    """A cluster of our own: trust authentication on 127.0.0.1, no fsync (it is thrown away)."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_owner: list[str] = []
        # What the tests seeded in its template database (their ids and log-ins).
        self.seeded: dict[str, Any] = {}
        if os.geteuid() == 0:
            shutil.chown(self.root, user="postgres", group=None)
            self.as_owner = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        result = subprocess.run(
            [*self.as_owner, *args], capture_output=True, text=True, timeout=120, check=False
        )
        if result.returncode != 0:
            log = self.root / "postgres.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{args[0]} failed: {result.stderr[-2000:]}\n{tail}")

    def start(self) -> None:
        if not self.data.exists():
            self._run(
                str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                "--auth=trust", "-E", "UTF8", "--no-sync",
            )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off"
        )
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "postgres.log"),
            "-o", options, "-w", "-t", "60", "start",
        )  # fmt: skip

    def restart(self, mode: str = "fast") -> None:
        """Every connection is cut (a request's too), and the cluster comes back."""
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "postgres.log"),
            "-m", mode, "-w", "-t", "60", "restart",
        )  # fmt: skip

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")

    def remove(self) -> None:
        with contextlib.suppress(RuntimeError):
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres") -> psycopg.Connection[Any]:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database, autocommit=True
        )

    def rows(self, database: str, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with self.connect(database) as connection:
            return connection.execute(query, params).fetchall()  # type: ignore[arg-type]

    def value(self, database: str, query: str, *params: Any) -> Any:
        return self.rows(database, query, *params)[0][0]


# Redis -----------------------------------------------------------------------------------------


def redis_missing() -> str | None:
    if shutil.which("redis-server") is None:
        return "redis-server is not installed (apt-get install redis-server)"
    return None


class PrivateRedis:
    """A Redis of our own, with nothing kept on disk: stopping it loses what it held."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                *("--port", str(self.port), "--bind", "127.0.0.1", "--save", ""),
                *("--appendonly", "no", "--dir", str(self.root)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: answers(self.port), seconds=20, what="Redis answers")

    def stop(self) -> None:
        """SHUTDOWN NOSAVE: the queue's tasks are gone, as after a crash of an unpersisted
        Redis."""
        if self.process is None:
            return
        import redis

        with contextlib.suppress(redis.exceptions.ConnectionError):
            redis.Redis(host="127.0.0.1", port=self.port).shutdown(nosave=True)
        self.process.wait(timeout=20)
        self.process = None

    def pending(self) -> int:
        """Tasks waiting in the product's Huey queue."""
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port)
        return sum(int(client.llen(key)) for key in client.keys("huey.redis.carebridge*"))


# SMTP ------------------------------------------------------------------------------------------


class _SmtpHandler(socketserver.StreamRequestHandler):
    server: _SmtpListener

    def _say(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        if self.server.refusing:
            self.server.refused += 1
            self._say("554 5.3.2 No service for you now: the mail server is refusing")
            return
        self._say("220 faults.invalid ESMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.decode(errors="replace").strip().split(" ")[0].upper()
            if verb == "EHLO":
                self._say("250-faults.invalid")
                self._say("250 8BITMIME")
            elif verb == "DATA":
                self._say("354 End data with <CR><LF>.<CR><LF>")
                self.server.taken.append(message_from_bytes(self._data()))
                self._say("250 2.0.0 Taken")
            elif verb == "QUIT":
                self._say("221 Bye")
                return
            else:  # HELO, MAIL, RCPT, RSET, NOOP
                self._say("250 OK")

    def _data(self) -> bytes:
        lines = []
        while True:
            line = self.rfile.readline()
            if line in (b".\r\n", b".\n", b""):
                return b"".join(lines)
            lines.append(line[1:] if line.startswith(b"..") else line)


class _SmtpListener(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    refusing = False
    refused = 0

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _SmtpHandler)
        self.taken: list[Message] = []


class SmtpServer:
    """The mail server: `refusing` answers every connection 554; otherwise it takes the
    message. `references` are the X-Carebridge-Reference headers (the outbox keys) of what it
    took, once per message taken."""

    def __init__(self) -> None:
        self.port = free_port()
        self.listener = _SmtpListener(("127.0.0.1", self.port))
        self.thread = threading.Thread(target=self.listener.serve_forever, daemon=True)
        self.thread.start()

    def refuse(self, refusing: bool = True) -> None:
        self.listener.refusing = refusing

    @property
    def refused(self) -> int:
        return self.listener.refused

    @property
    def references(self) -> list[str]:
        return [str(m["X-Carebridge-Reference"]) for m in self.listener.taken]

    def close(self) -> None:
        self.listener.shutdown()
        self.listener.server_close()


# The product's processes -----------------------------------------------------------------------


def product_env(
    *, data_dir: Path, database_url: str, redis_url: str, smtp_port: int
) -> dict[str, str]:
    """Production's configuration pointed at the private parts."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "CAREBRIDGE_TESTING",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "EMAIL_BACKEND",
            "CLAMD_ADDRESS",
            "SERVER_TIMING",
        }
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.faults_settings",
        PYTHONPATH=str(ROOT),
        CAREBRIDGE_DATA_DIR=str(data_dir),
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        DEBUG="false",
        HTTPS="false",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
    )
    return env


def manage(env: dict[str, str], code: str) -> Any:
    """Run code in `carebridge shell` with the env; the JSON it prints last."""
    result = subprocess.run(
        [sys.executable, "-m", "carebridge", "shell", "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"carebridge shell failed: {result.stderr[-3000:]}")
    lines = result.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else None


def migrate(env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "carebridge", "migrate", "--no-input", "-v", "0"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"migrate failed: {result.stderr[-3000:]}")


def _file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        # Python ignores SIGXFSZ, so a write past the limit fails with EFBIG instead of killing.
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


class _Process:
    def __init__(self, args: list[str], env: dict[str, str], log: Path, **popen: Any) -> None:
        self.log = log
        self._out = log.open("ab")
        self.process = subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=self._out, stderr=subprocess.STDOUT, **popen
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    # The signal that stops the process at once (gunicorn's TERM waits for its workers).
    stop_signal = signal.SIGTERM

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(self.stop_signal)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._out.close()


class WebServer(_Process):
    """gunicorn with the deployed configuration, one sync worker; `file_size_limit` caps every
    file the server writes (its uploads), as a disk that fills would."""

    stop_signal = signal.SIGINT

    def __init__(self, env: dict[str, str], log: Path, *, file_size_limit: int | None = None):
        self.port = free_port()
        env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "GUNICORN_WORKERS": "1"}
        env["SITE_URL"] = self.url
        super().__init__(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "carebridge.wsgi"],
            env,
            log,
            preexec_fn=_file_size_limit(file_size_limit) if file_size_limit else None,
        )
        wait_for(self._healthy, seconds=60, what="gunicorn answers /healthz")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _healthy(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"gunicorn stopped: {self.output()[-3000:]}")
        try:
            return requests.get(f"{self.url}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False


class Consumer(_Process):
    """A Huey consumer of the product's queue (one worker thread)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        super().__init__(
            [sys.executable, "-m", "carebridge", "run_huey", "-w", "1", "-k", "thread"], env, log
        )


# A person at a browser -------------------------------------------------------------------------

_INPUT = re.compile(r"<input[^>]*>")


def hidden_value(html: str, name: str) -> str:
    """The value of the page's first input of that name."""
    for tag in _INPUT.findall(html):
        if f'name="{name}"' in tag:
            found = re.search(r'value="([^"]*)"', tag)
            if found:
                return found.group(1)
    raise AssertionError(f"no {name} on the page")


class Browser:
    """requests with the cookies of one person; every form is read before it is posted, for
    its CSRF and single-use tokens."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.base + path, timeout=60)

    def submit(
        self, path: str, data: dict[str, str], *, form_path: str | None = None, **kwargs: Any
    ) -> requests.Response:
        page = self.get(form_path or path).text
        fields = {**data, "csrfmiddlewaretoken": hidden_value(page, "csrfmiddlewaretoken")}
        if 'name="form_token"' in page:
            fields["form_token"] = hidden_value(page, "form_token")
        return self.post(path, fields, **kwargs)

    def post(self, path: str, data: dict[str, str], **kwargs: Any) -> requests.Response:
        return self.session.post(
            self.base + path,
            data=data,
            headers={"Referer": self.base + path},
            timeout=60,
            **kwargs,
        )

    def log_in(self, email: str, password: str, passcode: str) -> None:
        response = self.submit("/accounts/login/", {"email": email, "password": password})
        assert "/accounts/login/second-step/" in response.url, response.text[-2000:]
        response = self.submit("/accounts/login/second-step/", {"passcode": passcode})
        assert response.status_code == 200 and response.url.rstrip("/") == self.base, response.url


def page_heading(html: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.DOTALL)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else ""


def error_summary(html: str) -> str:
    found = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.DOTALL)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else ""


@contextlib.contextmanager
def in_thread(work: Callable[[], Any]) -> Iterator[dict[str, Any]]:
    """Run work in a thread; the dict holds its "result" (or "error") once the block ends."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = work()
        except Exception as error:  # reported by the test
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield outcome
    finally:
        thread.join(timeout=120)
