"""The front door's data: requests and their history, the council's front-door settings, the
signposting directory with its postcode table, and hub appointments."""

from carebridge.frontdoor.models.directory import *  # noqa: F403
from carebridge.frontdoor.models.hubs import *  # noqa: F403
from carebridge.frontdoor.models.requests import *  # noqa: F403
from carebridge.frontdoor.models.teams import *  # noqa: F403
