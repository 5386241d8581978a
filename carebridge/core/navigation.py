"""The service navigation: each item shows only to roles that may use its function."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse

from carebridge.accounts.roles import Function, can_view

if TYPE_CHECKING:
    from carebridge.accounts.models import User


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    function: Function | None = None  # None: every logged-in user


# Later issues add their functions here, in the order officers and providers use them.
NAVIGATION: list[NavItem] = [
    NavItem("Home", "core:home"),
    NavItem("Service users", "people:service_user_list", Function.SERVICE_USERS),
    NavItem("User accounts", "accounts:user_list", Function.USER_ACCOUNTS),
    NavItem("Audit log", "audit:event_list", Function.AUDIT_LOG),
    NavItem("Your account", "accounts:account"),
]


def navigation_for(user: "User", current_path: str) -> list[dict[str, object]]:
    items = []
    for item in NAVIGATION:
        if item.function is not None and not can_view(user.role, item.function):
            continue
        url = reverse(item.url_name)
        current = current_path == url or (url != "/" and current_path.startswith(url))
        items.append({"label": item.label, "url": url, "current": current})
    return items
