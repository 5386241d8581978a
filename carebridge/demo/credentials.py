"""The shared log-in of the demo and benchmark data sets; never used outside them."""

# Meets both demo councils' rulebooks: 12+ characters, a capital, letters and two digits.
DEMO_PASSWORD = "Harbour-Lantern-42"  # noqa: S105 - published demo credential
DEMO_PASSCODE = "135790"
