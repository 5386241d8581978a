"""The directory's pages: officer.py (the council's directory, imports, taxonomy mapping and
neighbouring areas) and public.py (the printable list of services that could help)."""
