"""The signposting directory (imported from Open Referral UK) and the postcode table."""

__all__: list[str] = []
