"""The actuals pages: the provider's week at a service and a client's rows (week.py, with
rows.py for the rows' inputs and common.py for what the provider's pages share), its periods
(periods.py), the CSV export and import (csv.py), and the council's view (council.py)."""
