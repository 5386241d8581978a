"""The simulator's tests: a case-management peer on a real loopback server, and a plain HTTP
client (urllib) that reads its answers as a poller or a sender would."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

from carebridge.integrations.simulator import Faults, Simulator
from carebridge.integrations.simulator.case_management import CaseManagement

KEY = "simulator-key"


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str]


def call(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    key: str | None = KEY,
    timeout: float = 5,
) -> Answer:
    """One request; the status and JSON body whatever the status."""
    # Only the simulator's own http:// address is ever opened here.
    request = Request(url, data=body, method=method, headers=dict(headers or {}))  # noqa: S310
    if key is not None:
        request.add_header("Authorization", f"Bearer {key}")
    if body is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urlopen(request, timeout=timeout) as response:  # noqa: S310
            data = response.read()
            status, answer_headers = response.status, dict(response.headers)
    except HTTPError as error:
        data, status, answer_headers = error.read(), error.code, dict(error.headers)
    return Answer(status, json.loads(data) if data else None, answer_headers)


@pytest.fixture
def peer() -> CaseManagement:
    return CaseManagement(api_key=KEY)


@pytest.fixture
def sim(peer: CaseManagement) -> Iterator[Simulator]:
    with Simulator(peer) as simulator:
        simulator.faults = Faults(seed=7)
        yield simulator


@pytest.fixture
def base(sim: Simulator) -> str:
    return f"{sim.url}/case-management"
