"""The production stack on loopback, as several hosts would run it: `web` gunicorn processes (two
sync workers each, each on its own port), `workers` Huey consumers on one Redis database, nginx
in front when there is more than one web process (or when asked), an SMTP sink that every
process sends its e-mail to, and the council systems' simulator (bench/load/connect.py serve)
that the outbox posts case updates and CRM pushes to, so that effects.py can count each message
and each delivery where it arrived.

    with stack(env, data_dir, web=2, workers=2, proxy=True) as base_url:
        connect(stack_environment(...), simulator_url(data_dir))
        ...  # drive the load at base_url

Every process runs with DJANGO_SETTINGS_MODULE=bench.settings: the product's settings with
loopback addresses allowed (OUTBOUND_ALLOW_LOOPBACK), which the simulator needs.
"""

from __future__ import annotations

import contextlib
import os
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from bench.server import Server, _free_port, log_tail, wait_healthy
from bench.support import ROOT, SERVER_START_TIMEOUT, WORKERS, BenchError

NGINX = "/usr/sbin/nginx"
STOP_TIMEOUT = 20.0


def mail_dir(data_dir: Path) -> Path:
    """Where the SMTP sink keeps one file per message received, whichever process sent it."""
    return data_dir / "mail"


def simulator_dir(data_dir: Path) -> Path:
    """Where the simulator's address (`url`), its log and what it received (`received.jsonl`,
    one line per post answered) are kept."""
    return data_dir / "simulator"


def simulator_url(data_dir: Path) -> str:
    """The running stack's simulator, e.g. http://127.0.0.1:18603."""
    return (simulator_dir(data_dir) / "url").read_text().strip()


# --- The SMTP sink ---------------------------------------------------------------------------


class _SmtpSession(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend (smtplib): every message is kept as a file.

    A real mail server on loopback would be one more thing to install; this keeps each message
    whole, so a message sent twice is seen twice.
    """

    def handle(self) -> None:
        self._reply("220 carebridge-bench sink")
        while line := self.rfile.readline():
            verb = line.decode("ascii", "replace").strip().split(" ", 1)[0].upper()
            if verb == "DATA":
                self._reply("354 end with <CR><LF>.<CR><LF>")
                self._keep(self._read_data())
                self._reply("250 kept")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            elif verb == "EHLO":
                self._reply("250-carebridge-bench\r\n250 8BITMIME")
            else:  # HELO, MAIL, RCPT, RSET, NOOP
                self._reply("250 ok")

    def _reply(self, text: str) -> None:
        self.wfile.write(text.encode("ascii") + b"\r\n")

    def _read_data(self) -> bytes:
        lines: list[bytes] = []
        while (line := self.rfile.readline()) and line.rstrip(b"\r\n") != b".":
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)

    def _keep(self, message: bytes) -> None:
        directory: Path = self.server.directory  # type: ignore[attr-defined]
        (directory / f"{time.time_ns()}-{uuid.uuid4().hex}.eml").write_bytes(message)


class _SmtpSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, directory: Path) -> None:
        self.directory = directory
        super().__init__(("127.0.0.1", port), _SmtpSession)


@contextlib.contextmanager
def _smtp_sink(directory: Path, port: int) -> Iterator[int]:
    directory.mkdir(parents=True, exist_ok=True)
    sink = _SmtpSink(port, directory)
    thread = threading.Thread(target=sink.serve_forever, name="smtp-sink", daemon=True)
    thread.start()
    try:
        yield port
    finally:
        sink.shutdown()
        sink.server_close()


# --- Ports -----------------------------------------------------------------------------------


def _port_from(ports: range | None) -> int:
    """A free loopback port: from the caller's range when it has one (engineers sharing a
    machine keep to their own ranges), else any the system gives."""
    if ports is None:
        return _free_port()
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise BenchError(f"no free port in {ports.start}-{ports.stop - 1}")


class _Ports:
    """Hands out distinct free ports: a port found free is not bound until its server starts."""

    def __init__(self, ports: range | None) -> None:
        self.ports = ports
        self.given: set[int] = set()

    def take(self) -> int:
        for _ in range(200):
            port = _port_from(self.ports)
            if port not in self.given:
                self.given.add(port)
                return port
            if self.ports is not None:
                self.ports = range(port + 1, self.ports.stop)
        raise BenchError("could not find distinct free ports")


# --- The council systems' simulator ------------------------------------------------------------


@contextlib.contextmanager
def _simulator(env: dict[str, str], data_dir: Path, port: int) -> Iterator[str]:
    """The simulator in a process of its own (it reads the council's providers for its feed),
    on `port`; yields its URL once it answers."""
    directory = simulator_dir(data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    log = directory / "simulator.log"
    command = [sys.executable, "-m", "bench.load.connect", "serve", "--port", str(port)]
    command += ["--received", str(directory / "received.jsonl")]
    # A run may make the receivers take a share of posts and answer 500, as a flaky council
    # system would: each is then sent again, and must still be taken once.
    command += ["--after-rate", env.get("LOAD_SIMULATOR_AFTER_RATE", "0")]
    with log.open("a") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise BenchError(f"the simulator did not start on port {port}:\n{log_tail(log)}")
            time.sleep(0.2)
        url = f"http://127.0.0.1:{port}"
        (directory / "url").write_text(url)
        print(f"bench: council systems' simulator on {url}", flush=True)
        yield url
    finally:
        _stop_process(process)


# --- Huey consumers --------------------------------------------------------------------------


def _start_consumer(env: dict[str, str], log: Path, *, periodic: bool) -> subprocess.Popen[bytes]:
    # Only one consumer enqueues the periodic tasks, as only one host of a deployment would
    # (docs: "one periodic scheduler"); the tasks are also safe if two did.
    command = [sys.executable, "-m", "carebridge", "run_huey"]
    if not periodic:
        command.append("--no-periodic")
    with log.open("a") as output:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _flush_redis(redis_url: str) -> None:
    import redis  # the Redis client the product's cache and Huey use

    redis.Redis.from_url(redis_url).flushdb()


# --- nginx -----------------------------------------------------------------------------------


def nginx_config(directory: Path, port: int, upstreams: list[int]) -> str:
    """nginx in front of the gunicorns: round robin, nothing sticky, so one user's requests land
    on every host. X-Forwarded-For is set (not appended) from the connecting address: with
    BEHIND_PROXY the product trusts only its last hop, which must be nginx's own word."""
    servers = "\n".join(f"        server 127.0.0.1:{upstream};" for upstream in upstreams)
    return f"""
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 2048; }}
http {{
    # Which gunicorn answered: a user's requests are meant to land on every one.
    log_format upstream '$remote_addr [$time_local] "$request" $status $upstream_addr '
                        '$request_time';
    access_log {directory}/access.log upstream;
    client_body_temp_path {directory}/client_body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    client_max_body_size 12m;
    # nginx's workers drop root for nobody, who may not write in our private temp directory:
    # request bodies stay in memory and responses are never spooled to a file.
    client_body_buffer_size 12m;
    proxy_max_temp_file_size 0;
    upstream carebridge {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://carebridge;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_read_timeout 60s;
        }}
    }}
}}
"""


@contextlib.contextmanager
def _nginx(directory: Path, port: int, upstreams: list[int]) -> Iterator[str]:
    (directory / "nginx.conf").write_text(nginx_config(directory, port, upstreams))
    command = [NGINX, "-c", str(directory / "nginx.conf"), "-p", str(directory), "-e"]
    command.append(str(directory / "error.log"))
    started = subprocess.run(
        [*command, "-g", "daemon off;", "-t"], capture_output=True, text=True, check=False
    )
    if started.returncode != 0:
        raise BenchError(f"nginx refused its configuration:\n{started.stderr}")
    process = subprocess.Popen(
        [*command, "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=(directory / "stderr.log").open("a"),
        start_new_session=True,
    )
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_healthy(base_url, "nginx", directory / "error.log")
        print(f"bench: nginx on {base_url} in front of {len(upstreams)} gunicorn(s)", flush=True)
        yield base_url
    finally:
        _stop_process(process)


# --- The stack -------------------------------------------------------------------------------


def stack_environment(
    env: dict[str, str], data_dir: Path, *, redis_db: int, smtp_port: int, proxy: bool
) -> dict[str, str]:
    """Every process's environment: one Redis database for the queue and the cache, e-mail to
    the shared sink, the proxy's headers trusted only when there is a proxy, bench.settings
    (loopback allowed for the simulator) in every process."""
    stacked = dict(env)
    python_path = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    stacked.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "PYTHONPATH": python_path,
            "CAREBRIDGE_DATA_DIR": str(data_dir),
            "REDIS_URL": f"redis://127.0.0.1:6379/{redis_db}",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_USE_SSL": "false",
            "BEHIND_PROXY": "true" if proxy else "false",
        }
    )
    return stacked


@contextlib.contextmanager
def stack(
    env: dict[str, str],
    data_dir: Path,
    *,
    web: int = 1,
    workers: int = 1,
    web_workers: int = WORKERS,
    proxy: bool = False,
    redis_db: int = 4,
    log_dir: Path | None = None,
    ports: range | None = None,
) -> Iterator[str]:
    """Start the stack, yield the base URL of its front (nginx, else the one gunicorn), and stop
    everything on the way out, whatever happened."""
    if web < 1 or workers < 0:
        raise BenchError("a stack needs at least one web process and no negative consumers")
    proxy = proxy or web > 1
    ports_given = _Ports(ports)
    with contextlib.ExitStack() as cleanup:
        logs = log_dir or Path(cleanup.enter_context(tempfile.TemporaryDirectory()))
        logs.mkdir(parents=True, exist_ok=True)
        smtp_port = cleanup.enter_context(_smtp_sink(mail_dir(data_dir), ports_given.take()))
        stack_env = stack_environment(
            env, data_dir, redis_db=redis_db, smtp_port=smtp_port, proxy=proxy
        )
        _flush_redis(stack_env["REDIS_URL"])
        cleanup.enter_context(_simulator(stack_env, data_dir, ports_given.take()))
        for number in range(workers):
            consumer = _start_consumer(
                stack_env, logs / f"huey-{number + 1}.log", periodic=number == 0
            )
            cleanup.callback(_stop_process, consumer)
        print(f"bench: {workers} Huey consumer(s) on {stack_env['REDIS_URL']}", flush=True)
        servers = []
        for number in range(web):
            server = Server(stack_env, logs / f"gunicorn-{number + 1}.log", web_workers)
            server.port = ports_given.take()
            server.base_url = f"http://127.0.0.1:{server.port}"
            cleanup.callback(server.stop)
            server.start()
            servers.append(server)
        if not proxy:
            yield servers[0].base_url
            return
        nginx_dir = logs / "nginx"
        nginx_dir.mkdir(exist_ok=True)
        yield cleanup.enter_context(
            _nginx(nginx_dir, ports_given.take(), [server.port for server in servers])
        )
