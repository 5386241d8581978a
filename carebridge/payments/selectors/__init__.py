"""Reads of payments, scoped to the acting user's organisation: invoices, their pre-invoices and
totals (invoices.py). Callers import from here; each module's public names are this package's."""

from carebridge.payments.selectors.claims import *  # noqa: F403
from carebridge.payments.selectors.corrections import *  # noqa: F403
from carebridge.payments.selectors.council import *  # noqa: F403
from carebridge.payments.selectors.invoices import *  # noqa: F403
from carebridge.payments.selectors.provider import *  # noqa: F403
from carebridge.payments.selectors.variations import *  # noqa: F403
