"""The signposting directory: feed.py (reading an Open Referral UK feed), fetch.py (fetching it,
behind the guard against request forgery), imports.py (writing it), taxonomy.py (the council's
mapping of terms to needs), areas.py (neighbouring areas), postcodes.py (the postcode table),
emails.py (e-mailing a list), selectors.py, filters.py, forms.py, views/, urls.py, tasks.py.

Nothing is imported here: the models import feed.py, which must load without them."""
