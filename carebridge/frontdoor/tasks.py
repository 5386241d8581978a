"""Scheduled work for the front door. Huey loads each app's tasks.py alone, so this one imports
every part's tasks (each registers by the import): the front-door team's morning summary of
yesterday's requests (requests/tasks.py), the sweep that frees appointment slots held but never
confirmed (hubs/tasks.py), and the nightly refresh of each council's directory
(directory/tasks.py)."""

from carebridge.frontdoor.directory.tasks import refresh_directories  # noqa: F401
from carebridge.frontdoor.hubs.tasks import expire_booking_holds  # noqa: F401
from carebridge.frontdoor.requests.tasks import front_door_summaries  # noqa: F401
