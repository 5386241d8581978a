"""What a council buys from each provider it works with: home care, paid on actuals, or
residential or nursing care, paid on the placement (Stockport's guide, section 3). Its models are
imported by organisations.models, where callers find them."""

from django.db import models

from carebridge.organisations.models import Council, Provider


class ProviderKind(models.TextChoices):
    """The kind of care a council buys from a provider. Kept here beside the one model that
    uses it (organisations/choices.py is another helper's this session; move it there later)."""

    HOME_CARE = "home_care", "Home care"
    RESIDENTIAL = "residential", "Residential care"
    NURSING = "nursing", "Nursing care"


# The kinds paid on what was delivered week by week (actuals). A residential or nursing
# placement is paid on the placement itself, so such a provider has no actuals to enter and
# nothing to dispute (Stockport's guide, section 3).
PAID_ON_ACTUALS = frozenset({ProviderKind.HOME_CARE})


class ProviderCouncil(models.Model):
    """What a council commissions from a provider: home care (paid on actuals), or residential
    or nursing care (paid on the placement). Set by the council, one for each council and
    provider; with none, the provider gives that council home care.

    Kept per council and provider, not on the provider: a provider may run a care home for one
    council and home care for another, and each council decides for its own arrangement (the
    guide speaks of the council's providers "not paid based on actuals"). Not per contract:
    the guide names the provider's kind, which decides whole functions of the portal (Actuals,
    Disputes, the signed-contract action), not the payment of one contract."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="provider_kinds")
    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="kinds_at_councils"
    )
    kind = models.CharField(max_length=20, choices=ProviderKind.choices)

    class Meta:
        ordering = ["council", "provider"]
        constraints = [
            models.UniqueConstraint(fields=["council", "provider"], name="provider_council_unique"),
            models.CheckConstraint(
                condition=models.Q(kind__in=ProviderKind.values), name="provider_council_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} for {self.council}: {self.get_kind_display()}"

    @property
    def paid_on_actuals(self) -> bool:
        return self.kind in PAID_ON_ACTUALS
