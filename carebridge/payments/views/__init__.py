"""The payments pages: invoices.py the provider's invoices (the list, the wizard, an invoice and
its Edit, Delete and Submit), downloads.py an invoice as CSV and PDF (for its provider and, once
submitted, its council), council.py the council's payments team's queue and decisions."""
