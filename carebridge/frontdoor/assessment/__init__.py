"""The front door's questions and the Care Act eligibility rules: pure data and functions, no
database."""
