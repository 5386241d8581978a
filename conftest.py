import os

# Huey runs tasks at once in tests; settings read this before Django starts.
os.environ.setdefault("CAREBRIDGE_TESTING", "true")
