"""The page benchmark (run.py) and the settings and URLs its server runs with."""
