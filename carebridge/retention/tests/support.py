"""Builders shared by the retention tests (this module holds no tests)."""

from __future__ import annotations

from datetime import datetime, timedelta

from carebridge.core.calendar import add_calendar_months, now
from carebridge.frontdoor.choices import RequestStatus
from carebridge.frontdoor.models import FrontDoorRequest
from carebridge.frontdoor.tests.support_requests import submit, unlikely_answers
from carebridge.notifications.models import Notification
from carebridge.organisations.models import Council


def months_on(months: int) -> datetime:
    """The first day on which what happened now is `months` months old."""
    moment = now()
    while add_calendar_months(moment, -months) < now():
        moment += timedelta(days=1)
    return moment


def signposted(council: Council) -> FrontDoorRequest:
    request = submit(council, unlikely_answers())
    assert request.status == RequestStatus.SIGNPOSTED
    return request


def sent(*notifications: Notification) -> None:
    """What the outbox's sender does once an e-mail has gone."""
    Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(sent_at=now())
