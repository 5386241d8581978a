"""What actuals tells the layers above it.

A provider may amend a week after invoicing it (until the period's payment is processed), and
invoices are payments', which sits above actuals: actuals cannot call it. As with
organisations.signals, a signal keeps the save (its checks, its one transaction, its audit event)
in one place and lets payments do its part inside the same transaction. `send` (not
`send_robust`) lets a receiver's error through, so the whole save rolls back: an amended week and
its credit note or supplementary invoice are written together or not at all.
"""

from django.dispatch import Signal

# Sent by actuals_save, once the batch's rows are written, with `actual_ids` (the stored rows
# whose cost, quantity or over-exception changed: what an invoice line of the week holds) and
# `by` (the provider's user who saved them). New rows are never sent: no invoice can hold them.
# Sent by actuals_replan too, when a termination re-plans weeks, once per provider, with `by`
# (the council's user who terminated) and `provider_id` (whose weeks they are).
actuals_amended = Signal()

# Sent by actuals_save (actuals.services.reviews) inside its transaction when a client's
# non-engagement has run for three consecutive weeks, with `review_ids` (the new PackageReview
# rows) and `by` (the provider's user who saved the week): payments raises each review's action
# with the council's operational team, which actuals cannot (actions is its sibling).
package_review_due = Signal()
