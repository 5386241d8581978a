"""Hub appointments: the council's local hubs, the times they publish, and the public's
bookings of them (services/, selectors.py, access.py, forms.py, views/public.py and
views/officer.py, urls.py, tasks.py)."""
