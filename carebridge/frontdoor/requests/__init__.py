"""Front-door requests: the resident's journey from the questions to a request (or
signposting), tracking it, and the council officers' queue, triage and settings."""
