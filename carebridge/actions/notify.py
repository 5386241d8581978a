# The old path of the GOV.UK Notify backend, kept because deployments set EMAIL_BACKEND to it.
from carebridge.notifications.notify import NotifyEmailBackend, NotifyError  # noqa: F401
