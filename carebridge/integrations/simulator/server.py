"""The simulator's HTTP server: routing to its peers, and the faults it injects."""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Faults:
    """What goes wrong, at random (seeded, so a run can be repeated). Rates are 0 to 1.

    failure_rate    answer 500 instead of handling the request (nothing is done)
    timeout_rate    wait `timeout_seconds` and then drop the connection (nothing is done)
    duplicate_rate  a peer that serves lists repeats items at this rate (the peer decides)
    out_of_order    a peer that serves lists shuffles each page (the peer decides)
    slow_seconds    every answer waits this long first
    after_rate      handle the request, then answer 500 anyway (the sender cannot tell it was
                    taken, so it sends again: what an idempotency key is for)
    """

    failure_rate: float = 0.0
    timeout_rate: float = 0.0
    timeout_seconds: float = 2.0
    duplicate_rate: float = 0.0
    out_of_order: bool = False
    slow_seconds: float = 0.0
    after_rate: float = 0.0
    seed: int | None = None
    _random: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        self._random.seed(self.seed)

    def chance(self, rate: float) -> bool:
        return rate > 0 and self._random.random() < rate

    def shuffle(self, items: list[Any]) -> None:
        self._random.shuffle(items)


@dataclass
class Reply:
    """What a peer answers: a status, a JSON body (or none) and headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Request:
    method: str
    path: str  # below the peer's prefix, starting "/"
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def param(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[0] if values else default


class Peer:
    """One simulated system. Subclasses set `prefix` and implement `handle`; `sim` is the
    simulator it is mounted on (its lock and faults)."""

    prefix = "/"

    def __init__(self) -> None:
        self.sim: Simulator | None = None

    @property
    def faults(self) -> Faults:
        assert self.sim is not None
        return self.sim.faults

    @property
    def lock(self) -> threading.RLock:
        assert self.sim is not None
        return self.sim.lock

    def handle(self, request: Request) -> Reply:
        raise NotImplementedError


class Simulator:
    """The server: `start()` (or `with`) runs it in a thread on `host`, a free port by default."""

    def __init__(self, *peers: Peer, host: str = "127.0.0.1", port: int = 0) -> None:
        self.faults = Faults()
        self.lock = threading.RLock()
        self.peers: list[Peer] = []
        self.requests = 0
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        for peer in peers:
            self.mount(peer)

    def mount(self, peer: Peer) -> Peer:
        peer.sim = self
        # The longest prefix wins.
        self.peers = sorted([*self.peers, peer], key=lambda p: -len(p.prefix))
        return peer

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}" if isinstance(host, str) else f"http://127.0.0.1:{port}"

    def start(self) -> Simulator:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _dispatch(self, request: Request) -> Reply | None:
        """The peer's reply, or None to drop the connection (a timeout)."""
        faults = self.faults
        with self.lock:
            self.requests += 1
            fail = faults.chance(faults.failure_rate)
            drop = not fail and faults.chance(faults.timeout_rate)
            fail_after = not fail and not drop and faults.chance(faults.after_rate)
        if faults.slow_seconds:
            time.sleep(faults.slow_seconds)
        if drop:
            time.sleep(faults.timeout_seconds)
            return None
        if fail:
            return Reply(500, {"error": "simulated failure"})
        peer = next((p for p in self.peers if request.path.startswith(p.prefix)), None)
        if peer is None:
            return Reply(404, {"error": f"nothing at {request.path}"})
        below = request.path[len(peer.prefix.rstrip("/")) :] or "/"
        reply = peer.handle(
            Request(request.method, below, request.query, request.headers, request.body)
        )
        if fail_after:
            return Reply(500, {"error": "simulated failure after the request was taken"})
        return reply

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        simulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                try:
                    reply = simulator._dispatch(request)
                except Exception as error:  # a peer's bug answers 500, like a real system's
                    reply = Reply(500, {"error": f"{type(error).__name__}: {error}"})
                if reply is None:
                    self.close_connection = True
                    return
                data = b"" if reply.body is None else json.dumps(reply.body).encode()
                self.send_response(reply.status)
                if reply.body is not None:
                    self.send_header("Content-Type", "application/json")
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        return Handler
