"""The server and its data: `carebridge` management commands, a PostgreSQL database of the run's
own, and gunicorn on a free loopback port."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bench.browser import Client
from bench.support import (
    COMMAND_TIMEOUT,
    ROOT,
    SERVER_START_TIMEOUT,
    WORKERS,
    BenchError,
)

# --- The server and its data ---------------------------------------------------------------


def product_environment(data_dir: Path, database: PostgresDatabase | None) -> dict[str, str]:
    """The environment of the product's commands in a run: this run's data directory and
    database, DEBUG off (it would keep every query in memory, which a bulk job must not pay
    for), e-mail kept in memory, a throw-away secret key."""
    env = {
        key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        {
            "CAREBRIDGE_DATA_DIR": str(data_dir),
            "DEBUG": "false",
            "HTTPS": "false",
            "SECRET_KEY": secrets.token_urlsafe(48)[:64],
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "carebridge.settings",
        }
    )
    env.pop("STATIC_ROOT", None)
    if database is not None:
        env["DATABASE_URL"] = database.url
    return env


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def log_tail(path: Path, lines: int = 40) -> str:
    """A log's last lines, for an error: the run's directory is removed when the run ends."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def run_command(args: list[str], env: dict[str, str], log: Path, what: str) -> float:
    """Run a `carebridge` management command; return how long it took in seconds."""
    command = [sys.executable, "-m", "carebridge", *args]
    print(f"bench: {what}: carebridge {' '.join(args)}", flush=True)
    started = time.perf_counter()
    with log.open("a") as output:
        output.write(f"\n$ carebridge {' '.join(args)}\n")
        output.flush()
        try:
            completed = subprocess.run(
                command,
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                timeout=COMMAND_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise BenchError(
                f"carebridge {' '.join(args)} took over {COMMAND_TIMEOUT} s"
            ) from error
    if completed.returncode != 0:
        raise BenchError(
            f"carebridge {' '.join(args)} failed (exit {completed.returncode}):\n{log_tail(log)}"
        )
    return time.perf_counter() - started


def require_seed_scale(env: dict[str, str]) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "carebridge", "help", "--commands"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if completed.returncode != 0:
        raise BenchError(f"`carebridge help --commands` failed:\n{completed.stderr[-3000:]}")
    if "seed_scale" not in completed.stdout.split():
        raise BenchError(
            "the management command `carebridge seed_scale` does not exist (expected in "
            "carebridge/demo/management/commands/seed_scale.py); the benchmark needs it to "
            "build its data set"
        )


class PostgresDatabase:
    """A database of our own on the given server, created for this run and dropped after it."""

    def __init__(self, server_url: str) -> None:
        parts = urllib.parse.urlsplit(server_url)
        if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
            raise BenchError(f"--database-url must be a PostgreSQL URL, not {parts.scheme}://")
        if shutil.which("psql") is None:
            raise BenchError("psql is needed to create and drop the bench database")
        self.name = f"carebridge_bench_{secrets.token_hex(4)}"
        # CREATE and DROP DATABASE run from the database named in the URL (`postgres` if none);
        # nothing is ever written there, and no database but our own is created or dropped.
        self.admin_url = urllib.parse.urlunsplit(
            (
                "postgresql",
                parts.netloc,
                parts.path if parts.path not in {"", "/"} else "/postgres",
                parts.query,
                "",
            )
        )
        self.url = urllib.parse.urlunsplit(
            (parts.scheme, parts.netloc, f"/{self.name}", parts.query, "")
        )
        self.created = False

    @property
    def libpq_url(self) -> str:
        """The bench database's URL as psql and pg_restore take it (Django's also `pgsql:`)."""
        return urllib.parse.urlunsplit(("postgresql", *urllib.parse.urlsplit(self.url)[1:]))

    def _psql(
        self,
        sql: str,
        *,
        in_bench_database: bool = False,
        flags: tuple[str, ...] = (),
        timeout: float = 120,
    ) -> str:
        """One statement through psql, from the admin database or in the bench database; its
        output."""
        url = self.libpq_url if in_bench_database else self.admin_url
        completed = subprocess.run(
            ["psql", url, "-v", "ON_ERROR_STOP=1", "-q", *flags, "-c", sql],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if completed.returncode != 0:
            raise BenchError(f"psql: {sql}: {completed.stderr.strip()}")
        return completed.stdout

    def query(self, sql: str) -> str:
        """One statement in the bench database; its rows unaligned, fields by spaces."""
        return self._psql(sql, in_bench_database=True, flags=("-At", "-F", " "))

    def create(self) -> None:
        self._psql(f'CREATE DATABASE "{self.name}"')
        self.created = True
        print(f"bench: created PostgreSQL database {self.name}", flush=True)

    def vacuum_analyze(self) -> None:
        """Planner statistics and a visibility map, as autovacuum keeps them on a live server.

        Right after a bulk load the planner believes the tables are nearly empty and picks
        plans that read every row, and counts cannot use index-only scans; autovacuum would
        only catch up a minute or so later, in the middle of the measurements.
        """
        # A county's restored year of actuals takes minutes, not the two a statement may.
        self._psql("VACUUM ANALYZE", in_bench_database=True, timeout=COMMAND_TIMEOUT)
        print(f"bench: vacuumed and analyzed {self.name}", flush=True)

    def restore(self, dump: Path, log: Path) -> float:
        """A `pg_dump -Fc` of a seeded database (its schema and data) into this run's new,
        empty database; `migrate` then adds any migration newer than the dump. Seconds taken.

        A county takes a quarter of an hour or more to seed on two cores: seed it once, dump it,
        and restore it into each run's own database in a few minutes (the load test and the
        page benchmark both do)."""
        if shutil.which("pg_restore") is None:
            raise BenchError("pg_restore is needed to restore a dump")
        if not dump.is_file():
            raise BenchError(f"no dump at {dump}")
        print(f"bench: restoring {dump} into {self.name}", flush=True)
        started = time.perf_counter()
        with log.open("a") as out:
            out.write(f"\n$ pg_restore {dump}\n")
            out.flush()
            completed = subprocess.run(
                ["pg_restore", "--no-owner", "--jobs", "2", "--dbname", self.libpq_url, str(dump)],
                stdout=out,
                stderr=subprocess.STDOUT,
                check=False,
            )
        if completed.returncode != 0:
            raise BenchError(f"pg_restore of {dump} failed:\n{log_tail(log)}")
        return time.perf_counter() - started

    def drop(self) -> None:
        if self.created:
            self._psql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self.created = False
            print(f"bench: dropped PostgreSQL database {self.name}", flush=True)


def wait_healthy(
    base_url: str, what: str, log: Path, process: subprocess.Popen[bytes] | None = None
) -> None:
    """Until `base_url` answers /healthz 200; a BenchError with the log's tail if `process`
    exits first or the time runs out."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    client = Client(base_url)
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise BenchError(f"{what} exited with {process.returncode}:\n{log_tail(log)}")
        try:
            if client.get("/healthz").status == 200:
                return
        except BenchError:
            pass
        time.sleep(0.2)
    raise BenchError(
        f"{what} did not answer /healthz in {SERVER_START_TIMEOUT:.0f} s:\n{log_tail(log)}"
    )


class Server:
    """gunicorn serving carebridge on a free loopback port, in its own process group."""

    def __init__(
        self, env: dict[str, str], log: Path, workers: int = WORKERS, timeout: float | None = None
    ) -> None:
        # The product's settings with bench/urls.py, for the logged-in minimal view; the
        # project root on the path so that `bench` imports.
        python_path = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
        self.env = {**env, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": python_path}
        self.log = log
        self.workers = workers
        # gunicorn's worker timeout in seconds; its default (30) when None.
        self.timeout = timeout
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        command = [str(gunicorn)] if gunicorn.exists() else [sys.executable, "-m", "gunicorn"]
        command += ["carebridge.wsgi", "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}"]
        if self.timeout is not None:
            command += ["--timeout", str(int(self.timeout))]
        print(f"bench: starting gunicorn ({self.workers} workers) on {self.base_url}", flush=True)
        with self.log.open("a") as output:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_healthy(self.base_url, "gunicorn", self.log, self.process)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # gunicorn's master stops its workers on SIGTERM
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        print("bench: gunicorn stopped", flush=True)
