"""The page benchmark (run.py; what it measures in pages.py, its parts in browser.py, results.py,
server.py and support.py), the actuals benchmark (actuals.py), and the settings and URLs the
bench server runs with."""
