"""What organisations tells the layers above it.

An approved contact request makes, changes or closes a log-in, and log-ins are accounts', which
sits above organisations: organisations cannot call it. Of the two ways round that, a signal is the
plainer here. Moving the step up into accounts would move the whole approval with it, since the
council approves every kind of request on the one organisations page; the signal keeps the
approval (its checks, its compare-and-set, its audit events) in one place and lets accounts do its
part inside the same transaction. `send` (not `send_robust`) lets a receiver's refusal or
ValidationError through, so the whole approval rolls back, as before.
"""

from django.dispatch import Signal

# Sent by change_request_approve, once the request is approved, for a request about a contact
# (a new contact, a contact's details or role, a role removed), with `change_request` and `by`.
# The receiver (accounts, connected in its AppConfig.ready) makes the change to the account and
# returns the account; it raises ChangeRequestRefused or ValidationError to refuse.
contact_change_approved = Signal()
