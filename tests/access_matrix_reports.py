"""The access matrix's reports part. A report's URL argument is the report's name, not another
organisation's object: the tenancy of a report is in its rows. So the matrix's generic test sees
an unknown report refused (404), and tests/test_access_matrix_reports.py opens every registered
report and each of its downloads as every role of our organisations, checking who may open it
and that none shows the other council's or provider's data."""

from __future__ import annotations

from tests.access_entry import Entry

REGISTRY = {
    "reports:report": Entry(kwargs=lambda w: {"slug": "no-such-report"}),
    "reports:download": Entry(
        kwargs=lambda w: {"slug": "no-such-report", "fmt": "csv"},
        more=({"slug": "pending-payment-exceptions", "fmt": "docx"},),
    ),
}
