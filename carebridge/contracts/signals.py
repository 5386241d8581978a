"""What contracts tells other contexts, without knowing them."""

from django.dispatch import Signal

# Sent inside the transaction that changes CPLIs' end dates (a termination, or a corrected
# one), with `cplis` (the lines as they now are) and `by`. A receiver may raise
# django.core.exceptions.ValidationError({"end_date": ...}) to refuse the change: the whole
# termination is then rolled back and the message shown against the last day of care.
cpli_dates_changed = Signal()
