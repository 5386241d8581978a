"""The organisations pages: the provider's details (`provider`) and change requests (`change_requests`)."""
