"""Helpers for views that act for the logged-in user: `acting_user` now lives in core (every
layer's views ask for it), named here too for the views that import it from accounts."""

from carebridge.core.http import acting_user

__all__ = ["acting_user"]
