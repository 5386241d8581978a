"""The CSV file's layout, in the Bradford guide's columns, and its limits and messages."""

from __future__ import annotations

from decimal import Decimal

from carebridge.organisations.choices import CsvLayout

BASIC_COLUMNS = (
    "Service",
    "Service level",
    "SS Ref",
    "Date",
    "Weekly Actual Quantity",
    "Weekly Frustrated Quantity",
    "Weekly Missed Quantity",
    "Weekly Extra Quantity",
    "Weekly Number Of Visits",
    "Comments",
)
REASON_COLUMNS = (*BASIC_COLUMNS, "Frustrated Reason", "Aborted Visit Dates", "Variation Code")
COLUMNS = {CsvLayout.BASIC: BASIC_COLUMNS, CsvLayout.WITH_REASONS: REASON_COLUMNS}

# The column each field's problems point at; the line is found by its SS Ref, the week by Date.
FIELD_COLUMN = {
    "service": 0,
    "service_level": 1,
    "ss_ref": 2,
    "cpli": 2,
    "week": 3,
    "actual": 4,
    "frustrated": 5,
    "missed": 6,
    "extra": 7,
    "visits": 8,
    "comments": 9,
    "frustrated_reason": 10,
    "aborted_visit_dates": 11,
    "variation_code": 12,
}
CELL_FIELD = {column: key for key, column in reversed(FIELD_COLUMN.items())}
# A file without the reason columns points their problems at the quantity they explain.
STAND_IN = {
    "frustrated_reason": "frustrated",
    "aborted_visit_dates": "frustrated",
    "variation_code": "extra",
}
QUANTITIES = ("actual", "frustrated", "missed", "extra")

BYTE_ORDER_MARK = "\ufeff"
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
# Beyond what a quantity column can hold (7 digits, 2 of them decimals).
QUANTITY_LIMIT = Decimal("100000")
VISITS_LIMIT = 32767
VARIATION_CODE_LENGTH = 30

NO_MATCH = (
    "No care package line item of yours matches service, service level and SS Ref for that week"
)
SEVERAL = (
    "More than one care package line item of yours matches service, service level and SS Ref "
    "for that week: enter this week's actuals on the actuals page instead"
)
NEEDS_REASON_COLUMNS = (
    "add the columns Frustrated Reason, Aborted Visit Dates and Variation Code after Comments, "
    "or enter it on the actuals page"
)
