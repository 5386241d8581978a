"""Every write to actuals: opening periods (periods.py), generating actuals from CPLIs
(generate.py), saving what the provider entered on the page or from a CSV file (save.py),
confirming a period and recording that its payment has been processed (confirm.py),
following a line's new dates (replan.py), and auditing the council's review of a provider's rows
(review.py); common.py holds what they share. Each is one
transaction: a batch of rows is saved whole or not at all. Callers import from here."""

from carebridge.actuals.services.common import (
    BATCH,
    RUNNING,
    ActualsRefused,
    running_in,
)
from carebridge.actuals.services.confirm import (
    ConfirmationState,
    actuals_confirm,
    confirmation_state,
    missing_actuals,
    period_mark_paid,
)
from carebridge.actuals.services.generate import actuals_generate
from carebridge.actuals.services.periods import periods_open
from carebridge.actuals.services.replan import actuals_replan
from carebridge.actuals.services.review import actuals_reviewed
from carebridge.actuals.services.save import (
    _WRITTEN,
    ActualsInvalid,
    Item,
    Saved,
    actuals_save,
)

__all__ = [
    "BATCH",
    "RUNNING",
    "_WRITTEN",
    "ActualsInvalid",
    "ActualsRefused",
    "ConfirmationState",
    "Item",
    "Saved",
    "actuals_confirm",
    "actuals_generate",
    "actuals_replan",
    "actuals_reviewed",
    "actuals_save",
    "confirmation_state",
    "missing_actuals",
    "period_mark_paid",
    "periods_open",
    "running_in",
]
