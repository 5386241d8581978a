"""`carebridge simulator`: the simulator served on a port until stopped, with the faults asked
for, and with --generate-every a council's new referrals added to the feed, which the push API
takes as they come."""

import socket
import threading
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from carebridge.integrations.services import api_token_create
from carebridge.integrations.tests.simulator.conftest import call
from carebridge.referrals.models import Referral
from tests.support import make_contract, make_council, make_district, make_provider


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def read_while_serving(url: str, *, until, key="simulator-key", seconds=5.0):
    """Read `url` from another thread until `until(answer)` holds; the answers read."""
    answers = []

    def read():
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                answer = call(url, key=key, timeout=1)
            except OSError:  # not listening yet
                time.sleep(0.05)
                continue
            answers.append(answer)
            if until(answer):
                return
            time.sleep(0.05)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader, answers


def run(*args: str) -> str:
    out = StringIO()
    call_command("simulator", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_adds_the_councils_referrals_to_the_feed_and_the_push_api_takes_them():
    council = make_council("Westbrook Borough Council")
    for name in ("Bluebell Lane Care", "Larkspur Home Care"):
        make_contract(council, make_provider(name))
    make_district(council, "Fairholt", postcode_districts="BS15 BS16")
    make_district(council, "Sallowfield")
    port = free_port()
    feed = f"http://127.0.0.1:{port}/case-management/referrals"
    reader, answers = read_while_serving(feed, until=lambda a: len(a.body["items"]) >= 4)

    output = run(
        "--port", str(port), "--council", council.slug, "--generate-every", "0.2",
        "--stop-after", "2",
    )  # fmt: skip
    reader.join()

    assert f"Simulator: http://127.0.0.1:{port}/case-management" in output
    assert "Case-management API key: simulator-key" in output
    items = answers[-1].body["items"]
    assert len(items) >= 4
    # Its providers and districts in turn, each a new person.
    bluebell, larkspur = (c.provider_id for c in council.contracts.order_by("provider__name"))
    assert [(i["provider"], i["district"]) for i in items[:4]] == [
        (bluebell, "Fairholt"),
        (larkspur, "Fairholt"),
        (bluebell, "Sallowfield"),
        (larkspur, "Sallowfield"),
    ]
    assert items[2]["service_user"]["postcode"] == "NG24 1AA"  # Sallowfield lists no codes
    assert items[0]["service_user"]["postcode"].split()[0] in {"BS15", "BS16"}
    assert len({i["external_id"] for i in items}) == len(items)
    assert len({i["service_user"]["ss_ref"] for i in items}) == len(items)
    assert answers[-1].body["next"].endswith(f":{len(items)}")

    _token, key = api_token_create(council=council, name="Case management", by=None)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    statuses = [api.post("/api/v1/referrals/", i, format="json").status_code for i in items]
    assert statuses == [201] * len(items)
    assert Referral.objects.filter(council=council, external_id__startswith="CM-").count() == len(
        items
    )


def test_it_serves_with_the_faults_asked_for_until_stopped():
    port = free_port()
    feed = f"http://127.0.0.1:{port}/case-management/referrals"
    reader, answers = read_while_serving(feed, until=lambda a: a.status == 500, seconds=3)

    output = run("--port", str(port), "--failure-rate", "1", "--seed", "3", "--stop-after", "1")
    reader.join()

    assert answers
    assert answers[-1].status == 500
    assert "Simulator stopped after" in output
    with pytest.raises(OSError):
        call(feed, timeout=1)


def test_it_serves_the_dataverse_environment_beside_the_feed():
    port = free_port()

    output = run("--port", str(port), "--stop-after", "0.2")

    assert f"Simulator: http://127.0.0.1:{port}/dataverse" in output


@pytest.mark.parametrize(
    "args",
    [
        ("--failure-rate", "1.5"),
        ("--duplicate-rate", "ten"),
        ("--slow", "-1"),
        ("--generate-every", "5"),
        ("--council", "northshire"),
    ],
)
def test_it_refuses_options_that_make_no_sense(args):
    with pytest.raises(CommandError):
        run("--port", str(free_port()), "--stop-after", "0.1", *args)


@pytest.mark.django_db
def test_it_refuses_a_council_it_cannot_make_referrals_for():
    council = make_council("Empty Council")

    with pytest.raises(CommandError, match="needs a provider"):
        run("--council", council.slug, "--generate-every", "1", "--stop-after", "0.1")
    with pytest.raises(CommandError, match="No council"):
        run("--council", "nowhere", "--generate-every", "1", "--stop-after", "0.1")


def test_it_says_when_the_port_is_taken():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        with pytest.raises(CommandError, match="Cannot listen"):
            run("--port", str(port), "--stop-after", "0.1")
