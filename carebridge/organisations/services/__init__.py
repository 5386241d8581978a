"""Every write to organisations: their records (`records`) and the change requests providers
raise about their details (`change_requests`). Callers use this package's names."""

from carebridge.organisations.services.change_requests import (
    ChangeRequestRefused,
    change_request_approve,
    change_request_raise,
    change_request_reject,
    decision_refusal,
    stale_fields,
)
from carebridge.organisations.services.records import (
    contract_create,
    council_create,
    district_create,
    payment_rule_set,
    provider_create,
    provider_update,
    rulebook_update,
    service_create,
    service_update,
    team_create,
    team_member_set,
)

__all__ = [
    "ChangeRequestRefused",
    "change_request_approve",
    "change_request_raise",
    "change_request_reject",
    "contract_create",
    "council_create",
    "decision_refusal",
    "district_create",
    "payment_rule_set",
    "provider_create",
    "provider_update",
    "rulebook_update",
    "service_create",
    "service_update",
    "stale_fields",
    "team_create",
    "team_member_set",
]
