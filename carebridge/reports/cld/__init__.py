"""The Client Level Data (CLD) return a council sends DHSC each quarter: its rows built from the
portal's own events (`records.py`), checked before download (`validation.py`) and offered on
its page (`views.py`). See `docs/decisions/0012-reports.md` and `../shared/DOMAIN.md` section 2."""
