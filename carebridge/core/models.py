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
