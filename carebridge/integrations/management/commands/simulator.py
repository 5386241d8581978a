"""Serve the council systems' simulator on loopback until stopped: the case-management feed and
updates (simulator/case_management.py), the Dataverse environment and the NHS Personal
Demographics Service (simulator/pds.py, with a key pair made at each start), with the faults
asked for; and, with --generate-every, a new referral for a council's providers and
districts on the feed at that interval, so a poller always has something to take.

    carebridge simulator --port 8765 --failure-rate 0.3 --duplicate-rate 0.1 --seed 1
    carebridge simulator --port 8765 --generate-every 60 --council westbrook

`make demo` runs the second beside the Huey worker (scripts/run-demo.sh)."""

from __future__ import annotations

import threading
from argparse import ArgumentParser, ArgumentTypeError
from datetime import UTC, datetime
from itertools import cycle
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from carebridge.integrations.management.commands._council import council_by_slug
from carebridge.integrations.simulator import Faults, Peer, Simulator
from carebridge.integrations.simulator.case_management import CaseManagement
from carebridge.integrations.simulator.pds import Pds
from carebridge.organisations.models import Council, District
from carebridge.organisations.selectors import providers_of_council


def _rate(text: str) -> float:
    try:
        rate = float(text)
    except ValueError:
        raise ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= rate <= 1:
        raise ArgumentTypeError("a rate is from 0 to 1 (0.3 is 30 %)")
    return rate


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < seconds <= 86400:
        raise ArgumentTypeError("give more than 0 and at most 86400 seconds")
    return seconds


def _dataverse() -> Peer | None:
    # Another part of the simulator, written beside this one: served when it is there.
    try:
        from carebridge.integrations.simulator.dataverse import Dataverse
    except ImportError:
        return None
    return Dataverse()


class Feeder:
    """Makes the council's next referral for the feed: its providers and districts in turn, a
    new person each time, with a postcode in the district when it lists its postcode districts."""

    def __init__(self, peer: CaseManagement, council: Council) -> None:
        providers = list(providers_of_council(council.pk).order_by("name"))
        districts = list(District.objects.filter(council=council).order_by("name"))
        if not providers or not districts:
            raise CommandError(
                f"{council} needs a provider with a contract and a district for its referrals"
            )
        self.peer = peer
        self._pairs = cycle(
            [(provider, district) for district in districts for provider in providers]
        )

    def add(self) -> str:
        provider, district = next(self._pairs)
        body = self.peer.referral_body(provider_id=provider.pk, district=district.name)
        codes = sorted(district.outward_codes())
        if codes:
            number = len(self.peer.feed)
            outward = codes[number % len(codes)]
            body["service_user"]["postcode"] = f"{outward} {1 + number % 9}AB"
        return self.peer.add_referral(body)


class Command(BaseCommand):
    # It stands in for another system: the portal's own checks (its URLs, its pages) are not its.
    requires_system_checks: list[str] = []
    help = (
        "Serve the case-management simulator (and the Dataverse one) on loopback until stopped, "
        "with faults; with --generate-every and --council, add a new referral for that council "
        "to the feed at once and then at that interval."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Loopback by default.")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--api-key", default="simulator-key", help="Its Bearer key.")
        parser.add_argument(
            "--signing-secret",
            default="",
            help="Take only updates signed with it (by default signatures are not checked).",
        )
        parser.add_argument("--failure-rate", type=_rate, default=0.0, help="Answer 500.")
        parser.add_argument(
            "--timeout-rate", type=_rate, default=0.0, help="Wait, then drop the connection."
        )
        parser.add_argument("--timeout-seconds", type=_seconds, default=2.0)
        parser.add_argument(
            "--after-rate", type=_rate, default=0.0, help="Take the request, then answer 500."
        )
        parser.add_argument(
            "--duplicate-rate", type=_rate, default=0.0, help="Serve feed items again."
        )
        parser.add_argument("--out-of-order", action="store_true", help="Shuffle each page.")
        parser.add_argument(
            "--slow", type=_seconds, default=0.0, metavar="SECONDS", help="Wait before answering."
        )
        parser.add_argument("--seed", type=int, default=None, help="Repeat a run's faults.")
        parser.add_argument(
            "--generate-every", type=_seconds, metavar="SECONDS", help="Add a referral this often."
        )
        parser.add_argument("--council", metavar="SLUG", help="Whose referrals to add.")
        parser.add_argument(
            "--stop-after", type=_seconds, metavar="SECONDS", help="Stop then (tests, scripts)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if bool(options["generate_every"]) != bool(options["council"]):
            raise CommandError("--generate-every and --council go together")
        peer = CaseManagement(api_key=options["api_key"], signing_secret=options["signing_secret"])
        # Checkpoints and ids carry the start time: a restart's feed is a new one (see `run`).
        peer.run = datetime.now(UTC).strftime("%y%m%d-%H%M%S")
        feeder = Feeder(peer, council_by_slug(options["council"])) if options["council"] else None
        peers: list[Peer] = [peer]
        if (dataverse := _dataverse()) is not None:
            peers.append(dataverse)
        pds = Pds()
        peers.append(pds)
        try:
            sim = Simulator(*peers, host=options["host"], port=options["port"])
        except OSError as error:
            raise CommandError(
                f"Cannot listen on {options['host']}:{options['port']}: {error}"
            ) from error
        sim.faults = Faults(
            failure_rate=options["failure_rate"],
            timeout_rate=options["timeout_rate"],
            timeout_seconds=options["timeout_seconds"],
            after_rate=options["after_rate"],
            duplicate_rate=options["duplicate_rate"],
            out_of_order=options["out_of_order"],
            slow_seconds=options["slow"],
            seed=options["seed"],
        )
        sim.start()
        for each in peers:
            self.stdout.write(f"Simulator: {sim.url}{each.prefix}")
        self.stdout.write(f"Case-management API key: {peer.api_key}")
        self.stdout.write(
            f"PDS: {pds.base_url()}, token {pds.token_url()}, API key {pds.api_key}, "
            f"key id {pds.key_id} (its private key is made anew at each start)"
        )
        try:
            self._run(
                feeder, options["generate_every"], options["stop_after"], options["verbosity"]
            )
        except KeyboardInterrupt:
            pass
        finally:
            sim.stop()
        self.stdout.write(
            f"Simulator stopped after {sim.requests} requests: {len(peer.feed)} referrals "
            f"served, {len(peer.updates)} updates taken."
        )

    def _run(
        self, feeder: Feeder | None, every: float | None, stop_after: float | None, verbosity: int
    ) -> None:
        """Until stopped (or `stop_after` seconds), adding a referral every `every` seconds."""
        stop = threading.Event()
        if stop_after is not None:
            timer = threading.Timer(stop_after, stop.set)
            timer.daemon = True  # Ctrl+C before it fires must not keep the process waiting
            timer.start()
        if feeder is None or every is None:
            while not stop.wait(3600):
                pass
            return
        while True:
            external_id = feeder.add()
            if verbosity >= 2:
                self.stdout.write(f"Added {external_id} to the feed")
            if stop.wait(every):
                return
