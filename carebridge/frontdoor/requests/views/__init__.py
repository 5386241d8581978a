"""The pages of front-door requests: the resident's (`public`, no log-in), the officers' queue
and triage (`officer`) and the front door's settings (`settings`)."""
