"""The hubs' pages: public.py (the public's booking pages and e-mailed links) and officer.py
(the front-door officers' hub pages)."""
