"""The scale council connected to the council systems' simulator, so that the load's answers to
referrals and the residents' requests become outbox deliveries, counted where they arrive.

Two commands, each run with the stack's environment (DJANGO_SETTINGS_MODULE=bench.settings,
which allows loopback addresses):

    python -m bench.load.connect serve --port P --received R [--feed N]
    python -m bench.load.connect configure --simulator http://127.0.0.1:P

`serve` (started by stack.py) runs the simulator (carebridge.integrations.simulator) with its
case-management system, its feed filled with N referrals for the scale council's providers, and
a CRM webhook receiver; every post either takes is appended to R as one JSON line, so effects.py
can count each delivery at the receiver. `configure` (run.py, after seeding) points the scale
council's case-management system and its front door's CRM webhook at it, through the product's
own connection services, as its administrator would on the connections page.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from bench.support import ROOT, BenchError

API_KEY = "simulator-key"
CASE_MANAGEMENT = "/case-management"
CRM_WEBHOOK = "/crm/requests"
# Referrals on the feed when the simulator starts, per provider of the council, and at most:
# enough that a provider's pending list often shows one the council's system sent.
FEED_PER_PROVIDER = 2
FEED_AT_MOST = 400


def connect(env: dict[str, str], data_dir: Path, *, redis_db: int) -> dict[str, Any]:
    """Run `configure` in a child process that reaches the stack's database and Redis (`env`,
    `data_dir` and `redis_db` as given to stack(), while it is up, so its simulator runs);
    what it set."""
    from bench.load.stack import simulator_url

    python_path = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    child_env = {
        **env,
        "PYTHONPATH": python_path,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "REDIS_URL": f"redis://127.0.0.1:6379/{redis_db}",
    }
    command = [sys.executable, "-m", "bench.load.connect", "configure"]
    command += ["--simulator", simulator_url(data_dir)]
    completed = subprocess.run(
        command, cwd=ROOT, env=child_env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    if completed.returncode != 0:
        raise BenchError(f"connecting to the simulator failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


class ReceivedLog:
    """Appends one JSON line per post a receiver answered, in one write each (threads post at
    once; O_APPEND keeps each line whole)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def write(self, **line: Any) -> None:
        os.write(self.fd, (json.dumps(line) + "\n").encode())


def _peers(received: ReceivedLog, after_rate: float) -> list[Any]:
    """The simulator's case-management system and a CRM webhook, each logging what it answers;
    `after_rate` of the posts each takes are then answered 500, so the sender cannot tell they
    were taken and sends them again (the feed's pages are never failed: the poll's back-off
    would leave the load with no referral from the system)."""
    from carebridge.integrations.simulator import Peer, Reply
    from carebridge.integrations.simulator.case_management import CaseManagement

    def fail_after(peer: Any, reply: Any) -> Any:
        with peer.lock:
            failed = peer.faults.chance(after_rate)
        return (
            Reply(500, {"error": "simulated failure after the post was taken"}) if failed else reply
        )

    class LoggedCaseManagement(CaseManagement):
        def handle(self, request: Any) -> Any:
            reply = super().handle(request)
            if request.method != "POST":
                return reply
            body = reply.body if isinstance(reply.body, dict) else {}
            answer = fail_after(self, reply) if reply.status == 201 else reply
            received.write(
                peer="case_updates",
                key=request.headers.get("idempotency-key", ""),
                path=request.path,
                status=reply.status,
                error=body.get("error", ""),
                answered=answer.status,
            )
            return answer

    class CrmWebhook(Peer):
        """A council CRM that takes each front-door push once by its X-Carebridge-Delivery key
        and answers a repeat as taken, with the same reference, as the adapter expects of a
        receiver that ignores repeats (any 4xx would be final for the sender)."""

        prefix = CRM_WEBHOOK

        def __init__(self) -> None:
            super().__init__()
            self.taken: dict[str, str] = {}

        def handle(self, request: Any) -> Any:
            if request.method != "POST":
                return Reply(405, {"error": "method_not_allowed"}, {"Allow": "POST"})
            key = request.headers.get("x-carebridge-delivery", "")
            try:
                body = request.json()
            except ValueError:
                body = None
            if not key or not isinstance(body, dict):
                return Reply(400, {"error": "bad_request"})
            with self.lock:
                repeat = key in self.taken
                reference = self.taken.setdefault(key, f"CRM-{len(self.taken) + 1:06d}")
                received.write(
                    peer="crm",
                    key=key,
                    request=str(body.get("reference", "")),
                    event=str(body.get("event", "")),
                    signed=bool(request.headers.get("x-carebridge-signature")),
                    status=200,
                    error="duplicate" if repeat else "",
                )
            reply = Reply(200, {"reference": reference})
            return reply if repeat else fail_after(self, reply)

    return [LoggedCaseManagement(api_key=API_KEY), CrmWebhook()]


def _fill_feed(peer: Any, slug: str, count: int | None) -> int:
    """The council's referrals on the feed, its providers and districts in turn (the simulator
    command's own Feeder)."""
    from carebridge.integrations.management.commands.simulator import Feeder
    from carebridge.organisations.models import Council
    from carebridge.organisations.selectors import providers_of_council

    council = Council.objects.get(slug=slug)
    if count is None:
        providers = providers_of_council(council.pk).count()
        count = min(FEED_AT_MOST, FEED_PER_PROVIDER * providers)
    feeder = Feeder(peer, council)
    for _ in range(count):
        feeder.add()
    return count


def serve(port: int, received_path: Path, slug: str, feed: int | None, after_rate: float) -> None:
    from carebridge.integrations.simulator import Simulator

    received = ReceivedLog(received_path)
    case_management, crm = _peers(received, after_rate)
    sim = Simulator(case_management, crm, port=port)
    made = _fill_feed(case_management, slug, feed)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    sim.start()
    print(f"simulator: {sim.url}, {made} referrals on the feed of {slug}", flush=True)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    print(f"simulator: stopped after {sim.requests} requests", flush=True)


def configure(simulator: str, slug: str) -> dict[str, Any]:
    """The council's case-management system and CRM webhook set to the simulator (by the
    system, `by=None`, as the demo sets Westbrook's), and a first poll of its feed queued."""
    from carebridge.frontdoor.requests.services.settings import front_door_connections_update
    from carebridge.integrations.connections import case_system_update
    from carebridge.organisations.models import Council
    from carebridge.referrals.tasks import poll_case_feed

    council = Council.objects.get(slug=slug)
    system, _secret = case_system_update(
        council=council,
        by=None,
        name="Case management (simulator)",
        base_url=f"{simulator}{CASE_MANAGEMENT}",
        polling_enabled=True,
        updates_enabled=True,
        api_key=API_KEY,
    )
    front_door, _secret = front_door_connections_update(
        council=council, by=None, crm_webhook_url=f"{simulator}{CRM_WEBHOOK}"
    )
    # Without it the first poll waits for the scheduler's next minute.
    poll_case_feed(council.pk)
    return {
        "council": slug,
        "case_system": system.base_url,
        "crm_webhook": front_door.crm_webhook_url,
    }


def main(argv: list[str] | None = None) -> int:
    from carebridge.demo.scale_council import SCALE_SLUG

    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serving = commands.add_parser("serve")
    serving.add_argument("--port", type=int, required=True)
    serving.add_argument("--received", type=Path, required=True)
    serving.add_argument("--council", default=SCALE_SLUG)
    serving.add_argument("--feed", type=int, default=None)
    serving.add_argument("--after-rate", type=float, default=0.0, help="Take a post, answer 500.")
    configuring = commands.add_parser("configure")
    configuring.add_argument("--simulator", required=True)
    configuring.add_argument("--council", default=SCALE_SLUG)
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args.port, args.received, args.council, args.feed, args.after_rate)
    else:
        print(json.dumps(configure(args.simulator, args.council)))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    sys.exit(main())
