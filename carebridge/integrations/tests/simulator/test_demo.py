"""The demo's case-management system: Westbrook's is the simulator `make demo` runs, set once; and
the feed that simulator serves for Westbrook is one the portal takes."""

import pytest

from carebridge.audit.models import Event
from carebridge.demo.common import Tally
from carebridge.demo.integrations_demo import SIMULATOR_URL, demo_integrations
from carebridge.integrations.models import CaseSystem
from tests.support import make_council

pytestmark = pytest.mark.django_db


@pytest.fixture
def councils():
    return {"westbrook": make_council("Westbrook Borough Council"), "other": make_council()}


def test_westbrooks_system_is_the_simulator_with_polling_and_updates_on(settings, councils):
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    tally = Tally()

    demo_integrations(tally, councils)

    system = CaseSystem.objects.get()
    assert system.council == councils["westbrook"]
    assert (system.base_url, system.api_key) == (SIMULATOR_URL, "simulator-key")
    assert system.polling_enabled and system.updates_enabled
    assert system.signing_secret
    assert system.next_poll_at is not None  # polled as soon as the worker runs
    assert tally.created == {"case-management systems": 1}


def test_seeding_again_changes_nothing(settings, councils):
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    demo_integrations(Tally(), councils)
    system = CaseSystem.objects.get()
    # An administrator has paused the feed since: seeding again leaves that alone too.
    CaseSystem.objects.filter(pk=system.pk).update(polling_enabled=False)
    events = Event.objects.count()
    tally = Tally()

    demo_integrations(tally, councils)

    again = CaseSystem.objects.get()
    assert (again.signing_secret, again.next_poll_at) == (
        system.signing_secret,
        system.next_poll_at,
    )
    assert again.polling_enabled is False
    assert Event.objects.count() == events
    assert (tally.created, tally.existing) == ({}, {"case-management systems": 1})


def test_a_portal_that_may_not_reach_loopback_gets_no_simulator(settings, councils):
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    settings.DEBUG = False

    demo_integrations(Tally(), councils)

    assert not CaseSystem.objects.exists()
