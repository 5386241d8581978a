"""What people announce to the apps above it, which it cannot import (docs/architecture.md).

`service_user_rectified` is sent inside the rectification's transaction, after the person's
record is corrected and its audit event written, with `person` (the corrected ServiceUser), `by`
(the officer), `before` and `after` (only the fields that changed, as in the event: snapshot
names, so a district is `district_id`) and `reason`. A receiver corrects its own copies of those
details in the same transaction (the front door's requests that became this person: frontdoor/
requests/services/rectify.py); if it raises, the whole correction is undone. It is sent with
`send`, not `send_robust`, for that reason."""

from django.dispatch import Signal

service_user_rectified = Signal()
