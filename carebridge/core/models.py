from django.db import models


class Address(models.Model):
    """A UK postal address, as councils and providers record one (postcode stored normalised)."""

    address_line_1 = models.CharField("Address line 1", max_length=200, blank=True)
    address_line_2 = models.CharField("Address line 2", max_length=200, blank=True)
    address_line_3 = models.CharField("Address line 3", max_length=200, blank=True)
    town = models.CharField("Town or city", max_length=100, blank=True)
    county = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    # Text, never a number: published UPRNs keep their leading zeros.
    uprn = models.CharField("UPRN", max_length=12, blank=True)
    # The Unique Street Reference Number of the street, text for the same reason.
    usrn = models.CharField("USRN", max_length=8, blank=True)

    class Meta:
        abstract = True

    @property
    def address_lines(self) -> list[str]:
        parts = [
            self.address_line_1,
            self.address_line_2,
            self.address_line_3,
            self.town,
            self.county,
            self.postcode,
        ]
        return [part for part in parts if part]


class Submission(models.Model):
    """One create that a person or a system submitted, by the single-use key of its form (or its
    API request's Idempotency-Key), and what it created: a repeat finds this row and returns
    that object instead of creating another (`core.idempotency`)."""

    # A SHA-256 of the key and whose it is: never the key itself, and one length for all.
    key = models.CharField(max_length=64, unique=True)
    # What was created ("frontdoor.request_submit"): a key is good for one kind of create only.
    purpose = models.CharField(max_length=100)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.purpose} {self.object_id or ''}".strip()
