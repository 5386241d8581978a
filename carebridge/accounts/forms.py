from typing import Any, cast

from django import forms

from carebridge.accounts.models import ResetLink, User
from carebridge.accounts.passwords import PASSWORD_MAX_LENGTH
from carebridge.core.forms import GovForm, email_field
from carebridge.core.permissions import COUNCIL_ROLES, PROVIDER_ROLES, Role
from carebridge.organisations.models import Provider


def _password_field(label: str, *, autocomplete: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(
            attrs={"autocomplete": autocomplete, "spellcheck": "false", "class": "govuk-input"}
        ),
        error_messages={"required": f"Enter your {label.lower()}"},
    )


def _passcode_field(label: str, *, help_text: str = "") -> forms.CharField:
    # A password field a password manager can fill and paste into: WCAG 2.2 SC 3.3.8 rules out
    # asking for chosen digits, so the whole passcode is asked for.
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=20,
        widget=forms.PasswordInput(
            attrs={
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input govuk-input--width-10 cb-passcode-input",
            }
        ),
        error_messages={"required": f"Enter {label[0].lower()}{label[1:]}"},
    )


def _entered_twice(form: forms.Form, secret: str, data: dict[str, Any] | None) -> dict[str, Any]:
    """A new password or passcode ("password", "passcode") must be confirmed by the same again."""
    data = data or {}
    first, second = data.get(f"new_{secret}"), data.get(f"confirm_{secret}")
    if first and second and first != second:
        form.add_error(
            f"confirm_{secret}", f"The {secret}s do not match: enter the same {secret} twice"
        )
    return data


class LoginForm(GovForm):
    email = email_field(
        required_message="Enter your e-mail address",
        widget=forms.EmailInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    password = _password_field("Password", autocomplete="current-password")


class PasscodeForm(GovForm):
    passcode = _passcode_field(
        "Your 6-digit passcode", help_text="Enter all 6 digits of the passcode you chose."
    )


class AuthenticatorCodeForm(GovForm):
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code the app shows now.",
        max_length=10,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "spellcheck": "false",
                "class": "govuk-input govuk-input--width-10",
            }
        ),
        error_messages={"required": "Enter the code from your authenticator app"},
    )


class NewPasswordForm(GovForm):
    new_password = _password_field(
        "New password",
        autocomplete="new-password",
        help_text="",
    )
    confirm_password = _password_field("Confirm new password", autocomplete="new-password")

    def __init__(self, *args: Any, rules: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if rules:
            self.fields["new_password"].help_text = " ".join(rules)

    def clean(self) -> dict[str, Any]:
        return _entered_twice(self, "password", super().clean())


class PasswordChangeForm(NewPasswordForm):
    """Changing the password while logged in: the current one is asked for first."""

    current_password = _password_field("Current password", autocomplete="current-password")
    field_order = ["current_password", "new_password", "confirm_password"]


class NewPasscodeForm(GovForm):
    new_passcode = _passcode_field(
        "New 6-digit passcode",
        help_text=(
            "Exactly 6 digits. Not the same digit 6 times, and no more than 3 digits in a row "
            "going up or down (1234 and 9876 are not allowed). Do not use your birthday."
        ),
    )
    confirm_passcode = _passcode_field("Confirm new passcode")

    def clean(self) -> dict[str, Any]:
        return _entered_twice(self, "passcode", super().clean())


class CurrentPasswordForm(GovForm):
    """Asked before any change to how the user logs in, so a session left open is not enough."""

    current_password = _password_field("Current password", autocomplete="current-password")


class PasskeyNameForm(GovForm):
    """A passkey's name, so its owner can tell their passkeys apart."""

    name = forms.CharField(
        label="Name of the passkey",
        help_text="For example, the device or password manager that keeps it.",
        max_length=64,
    )


class PasscodeChangeForm(CurrentPasswordForm, NewPasscodeForm):
    """Changing the passcode while logged in: the current password is asked for first."""

    field_order = ["current_password", "new_passcode", "confirm_passcode"]


class AuthenticatorEnrolForm(CurrentPasswordForm, AuthenticatorCodeForm):
    """Setting up an authenticator app while logged in: the current password is asked for too."""

    field_order = ["code", "current_password"]


class ResetRequestForm(GovForm):
    email = LoginForm.base_fields["email"]
    purpose = forms.ChoiceField(
        label="What do you need to reset?",
        choices=[
            (ResetLink.Purpose.PASSWORD, "My password"),
            (ResetLink.Purpose.PASSCODE, "My 6-digit passcode"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what you need to reset"},
    )


class UserCreateForm(GovForm):
    first_name = forms.CharField(
        label="First name", max_length=100, error_messages={"required": "Enter the first name"}
    )
    last_name = forms.CharField(
        label="Last name", max_length=100, error_messages={"required": "Enter the last name"}
    )
    email = email_field(
        required_message="Enter the e-mail address", help_text="They log in with this address."
    )
    organisation = forms.ChoiceField(
        label="Organisation",
        error_messages={
            "required": "Choose the organisation",
            # A provider that also works for another council is not offered (decision 0006).
            "invalid_choice": "Choose one of the organisations in the list",
        },
    )
    role = forms.ChoiceField(
        label="Role",
        choices=[
            ("", "Choose a role"),
            ("Council roles", [(r.value, r.label) for r in Role if r in COUNCIL_ROLES]),
            ("Provider security roles", [(r.value, r.label) for r in Role if r in PROVIDER_ROLES]),
        ],
        help_text="Council roles are for council staff, the security roles for provider contacts.",
        error_messages={"required": "Choose a role"},
    )

    def __init__(
        self, *args: Any, council_name: str, providers: list[Provider], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["organisation"]).choices = [
            ("", "Choose an organisation"),
            ("council", council_name),
        ] + [(f"provider-{p.pk}", p.name) for p in providers]
        self.providers = {f"provider-{p.pk}": p for p in providers}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        organisation, role = data.get("organisation"), data.get("role")
        if organisation and role:
            roles = COUNCIL_ROLES if organisation == "council" else PROVIDER_ROLES
            if role not in roles:
                self.add_error(
                    "role",
                    "Choose a council role for council staff, or a security role for a provider's contact",
                )
        return data


class RoleForm(GovForm):
    role = forms.ChoiceField(label="Role", error_messages={"required": "Choose a role"})

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = COUNCIL_ROLES if user.council_id is not None else PROVIDER_ROLES
        cast(forms.ChoiceField, self.fields["role"]).choices = [
            (r.value, r.label) for r in Role if r in roles
        ]
        self.fields["role"].initial = user.role


class SessionsEndForm(GovForm):
    """Which of their other sessions the user logs out of, after their current password (ASVS
    7.5.2 asks for one factor again). The view gives the choices: the user's other sessions."""

    which = forms.ChoiceField(
        label="Which sessions do you want to log out of?",
        widget=forms.RadioSelect,
        choices=(),
        error_messages={"required": "Choose the sessions to log out of"},
    )
    current_password = _password_field("Current password", autocomplete="current-password")


class EmailChangeForm(CurrentPasswordForm):
    """A new e-mail address, asked once (the link e-mailed to it proves it is right) with the
    current password."""

    email = email_field(
        "New e-mail address",
        required_message="Enter your new e-mail address",
        help_text=(
            "We will send a link to this address. Your address only changes when you open "
            "the link and confirm it."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    field_order = ["email", "current_password"]


class EmailChangeConfirmForm(GovForm):
    """Confirming the new address; a provider working for several councils chooses the council
    that reviews the change request (as the contact pages ask)."""

    def __init__(self, *args: Any, councils: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.councils = {str(council.pk): council for council in councils or []}
        if len(self.councils) > 1:
            self.fields["council"] = forms.ChoiceField(
                label="Which council should review this change?",
                choices=[(pk, council.name) for pk, council in self.councils.items()],
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Choose the council that should review this change",
                    "invalid_choice": "Choose one of the councils your organisation works for",
                },
            )

    def council(self) -> Any:
        return self.councils.get(self.cleaned_data.get("council", ""))
