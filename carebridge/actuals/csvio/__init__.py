"""Actuals as a CSV file in the layout of the Bradford guide ("Importing/Exporting Actuals using
CSV file"): the export a provider fills in, and the import that saves it through actuals_save.

No client's name is ever written: the SS Ref is how the file identifies a client, as the guide
asks. Every text cell is neutralised so that a spreadsheet cannot run it as a formula, and the
import takes off the one quote the export added, so a file exported and imported again changes
nothing. An import is saved whole or not at all, and reports every problem of every row at once.

layout.py is the file's columns and limits; problems.py what is wrong with a file; reading.py
reads its text, header and cells; matching.py finds each row's CPLI; importing.py saves them;
exporting.py writes a period's file. Callers import from here.
"""

from carebridge.actuals.csvio.exporting import (
    ExportPeriod,
    export_client_count,
    export_csv,
    export_periods,
    export_rows,
)
from carebridge.actuals.csvio.importing import councils_of, import_bytes, import_rows
from carebridge.actuals.csvio.layout import (
    BASIC_COLUMNS,
    BYTE_ORDER_MARK,
    COLUMNS,
    MAX_BYTES,
    MAX_ROWS,
    NO_MATCH,
    REASON_COLUMNS,
    SEVERAL,
)
from carebridge.actuals.csvio.problems import CsvImportFailed, Problem, column_letter
from carebridge.actuals.csvio.reading import text_of, unquoted

__all__ = [
    "BASIC_COLUMNS",
    "BYTE_ORDER_MARK",
    "COLUMNS",
    "MAX_BYTES",
    "MAX_ROWS",
    "NO_MATCH",
    "REASON_COLUMNS",
    "SEVERAL",
    "CsvImportFailed",
    "ExportPeriod",
    "Problem",
    "column_letter",
    "councils_of",
    "export_client_count",
    "export_csv",
    "export_periods",
    "export_rows",
    "import_bytes",
    "import_rows",
    "text_of",
    "unquoted",
]
