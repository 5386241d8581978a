"""Local hubs, the appointment slots they publish, and bookings of them."""

__all__: list[str] = []
