"""Every write for front-door requests: the resident's side (`submission`), the officer's
triage (`steps`), what each change leaves behind (`history`: events, e-mails, the CRM push,
tracking links) and the council's front-door settings (`settings`). Callers use this package's
names."""

from carebridge.frontdoor.requests.services.history import (
    TRACK_SALT,
    request_from_token,
    request_viewed,
    track_link,
    track_token,
)
from carebridge.frontdoor.requests.services.routing import (
    Routing,
    request_route,
    request_team_move,
    route_for,
)
from carebridge.frontdoor.requests.services.settings import (
    CONNECTION_FIELDS,
    SETTINGS_FIELDS,
    crm_secret_renew,
    front_door_connections_update,
    front_door_open_set,
    front_door_settings_update,
    front_door_team_remove,
    front_door_team_save,
)
from carebridge.frontdoor.requests.services.steps import (
    NewServiceUser,
    RequestRefused,
    information_request,
    request_accept,
    request_appropriate_set,
    request_close,
    request_note,
    request_open,
    request_redirect,
)
from carebridge.frontdoor.requests.services.submission import (
    Contact,
    assessment_ask,
    contact_from,
    feedback_give,
    information_give,
    new_reference,
    request_submit,
    updates_subscribe,
)

__all__ = [
    "CONNECTION_FIELDS",
    "SETTINGS_FIELDS",
    "TRACK_SALT",
    "Contact",
    "NewServiceUser",
    "RequestRefused",
    "Routing",
    "assessment_ask",
    "contact_from",
    "crm_secret_renew",
    "feedback_give",
    "front_door_connections_update",
    "front_door_open_set",
    "front_door_settings_update",
    "front_door_team_remove",
    "front_door_team_save",
    "information_give",
    "information_request",
    "new_reference",
    "request_accept",
    "request_appropriate_set",
    "request_close",
    "request_from_token",
    "request_note",
    "request_open",
    "request_redirect",
    "request_route",
    "request_submit",
    "request_team_move",
    "request_viewed",
    "route_for",
    "track_link",
    "track_token",
    "updates_subscribe",
]
