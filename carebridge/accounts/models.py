from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.utils import timezone

from carebridge.core.permissions import COUNCIL_ROLES, PROVIDER_ROLES, Role
from carebridge.organisations.models import Council, Provider


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=(username or "").strip())


# A provider's contact's details beyond their name, log-in and telephone (the providers' guides'
# contact page); changed only through an approved change request.
CONTACT_DETAILS = (
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "town",
    "county",
    "postcode",
    "country",
    "mobile",
)


class User(AbstractBaseUser):
    """A person who logs in: a council officer or a provider's contact, with one role."""

    email = models.EmailField("E-mail address", unique=True)
    title = models.CharField(max_length=20, blank=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    phone = models.CharField(max_length=30, blank=True)
    # A provider's contact's own address and mobile, as the providers' guides keep them.
    mobile = models.CharField(max_length=30, blank=True)
    address_line_1 = models.CharField("Address line 1", max_length=200, blank=True)
    address_line_2 = models.CharField("Address line 2", max_length=200, blank=True)
    address_line_3 = models.CharField("Address line 3", max_length=200, blank=True)
    town = models.CharField("Town or city", max_length=100, blank=True)
    county = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    country = models.CharField(max_length=100, blank=True)
    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, null=True, blank=True, related_name="contacts"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    # Council staff work in a team, whose actions inbox they share (and the safeguarding team
    # alone reads safeguarding concerns).
    team = models.ForeignKey(
        "organisations.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )

    is_active = models.BooleanField(
        default=True, help_text="Off when the user has left: they can no longer log in."
    )
    created_at = models.DateTimeField(default=timezone.now)
    must_change_password = models.BooleanField(default=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    # The passcode is a second secret, hashed like a password; blank until the user chooses one.
    passcode = models.CharField(max_length=128, blank=True)
    passcode_changed_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(council__isnull=False, provider__isnull=True))
                | (models.Q(council__isnull=True, provider__isnull=False)),
                name="user_belongs_to_one_organisation",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(council__isnull=False, role__in=sorted(r.value for r in COUNCIL_ROLES))
                    | models.Q(
                        provider__isnull=False, role__in=sorted(r.value for r in PROVIDER_ROLES)
                    )
                ),
                name="user_role_fits_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_council_user(self) -> bool:
        return self.council_id is not None

    @property
    def organisation(self) -> Council | Provider:
        organisation = self.council if self.council_id is not None else self.provider
        assert organisation is not None  # guaranteed by user_belongs_to_one_organisation
        return organisation

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    def set_passcode(self, raw_passcode: str) -> None:
        self.passcode = make_password(raw_passcode)

    def check_passcode(self, raw_passcode: str) -> bool:
        return bool(self.passcode) and check_password(raw_passcode, self.passcode)

    @property
    def has_passcode(self) -> bool:
        return bool(self.passcode)


class UnknownAddressFailure(models.Model):
    """Failed log-ins for e-mail addresses with no account, counted like real ones.

    An unknown address locks after the same number of tries as a real account, so the answers
    never tell anyone which addresses have accounts.
    """

    email = models.CharField(max_length=254, unique=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    last_failed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.failed_attempts} failed log-ins for an address with no account"


class ResetLink(models.Model):
    """A single-use, expiring link e-mailed to reset a password or a passcode, or to confirm a
    new e-mail address (sent to that address, which it keeps until it is confirmed)."""

    class Purpose(models.TextChoices):
        PASSWORD = "password", "password"
        PASSCODE = "passcode", "passcode"
        EMAIL = "email", "e-mail address"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reset_links")
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    # Only a hash of the token is kept, so a copy of the database cannot be used to log in.
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # The address an e-mail link confirms; blank for the other purposes.
    new_email = models.EmailField(blank=True)

    def __str__(self) -> str:
        return f"{self.purpose} reset link for {self.user}"


class SingleSignOn(models.Model):
    """A council's OpenID Connect provider (Microsoft Entra ID, say): people sign in there and
    are matched by their verified e-mail to an existing portal account, never made on the fly.
    The rulebook says whether the council's staff must use it."""

    council = models.OneToOneField(
        Council, on_delete=models.CASCADE, primary_key=True, related_name="single_sign_on"
    )
    name = models.CharField(
        max_length=100, default="Microsoft Entra ID", help_text="Shown on the sign-in button."
    )
    issuer = models.URLField(
        help_text="The provider's issuer, like https://login.microsoftonline.com/<tenant>/v2.0: "
        "its settings are read from <issuer>/.well-known/openid-configuration."
    )
    client_id = models.CharField(max_length=200)
    client_secret = models.CharField(max_length=500)
    enabled = models.BooleanField(default=True)
    providers_may_use = models.BooleanField(
        default=False,
        help_text="Staff of providers working for the council may sign in through it too.",
    )

    def __str__(self) -> str:
        return f"{self.name} for {self.council}"


class SignOnSubject(models.Model):
    """Who a sign-on is (ASVS 10.5.2): the identity provider's `iss` and `sub`, recorded at the
    account's first sign-in through it and matched on after. An e-mail address can be given to
    someone else later; a subject never is, so a token with the account's address but another
    subject of the same issuer is refused."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_on_subjects")
    issuer = models.CharField(max_length=200)
    subject = models.CharField(max_length=255)
    first_signed_in_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="sign_on_subject_once"),
            models.UniqueConstraint(fields=["user", "issuer"], name="one_subject_per_issuer"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.issuer}"


class UserSession(models.Model):
    """A session a user logged in with: when, from which address and browser, so they can see
    their sessions and end them (and an administrator theirs) without a scan of every session.

    Deleting the session (log-out, time-out, expiry, ending it) deletes this row with it."""

    session = models.OneToOneField("sessions.Session", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    logged_in_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-logged_in_at"]

    def __str__(self) -> str:
        return f"session of {self.user} since {self.logged_in_at:%Y-%m-%d %H:%M}"
