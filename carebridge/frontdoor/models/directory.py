"""The signposting directory (imported from Open Referral UK) and the postcode table."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from carebridge.frontdoor.directory import feed as oruk
from carebridge.frontdoor.directory.feed import ServiceStatus, SignpostNeed
from carebridge.organisations.models import Council

__all__ = [
    "DirectoryImport",
    "DirectoryLocation",
    "DirectoryService",
    "NeighbouringArea",
    "Postcode",
    "TaxonomyMapping",
]


def _validate_outward_codes(value: str) -> None:
    wrong = oruk.invalid_outward_codes(value.split())
    if wrong:
        raise ValidationError(
            "Postcode districts must be outward codes in capitals, like NG22: " + ", ".join(wrong)
        )


class Postcode(models.Model):
    """A postcode and the point it is centred on, from the national table the council loads
    (the ONS Postcode Directory or a file like it): how far a service is from someone."""

    postcode = models.CharField(max_length=8, unique=True, help_text='Normalised: "AB1 2CD".')
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)

    def __str__(self) -> str:
        return self.postcode


class NeighbouringArea(models.Model):
    """Another council next to this one, and the postcodes it looks after, so that someone
    outside the council's area is told where to go instead."""

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="neighbouring_areas"
    )
    name = models.CharField(max_length=200, help_text='For example "Ashcombe District Council".')
    postcode_districts = models.CharField(
        max_length=500,
        validators=[_validate_outward_codes],
        help_text="The outward codes it looks after, separated by spaces, e.g. NG21 NG22.",
    )
    website = models.URLField(max_length=500, blank=True)
    phone = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "name"], name="neighbouring_area_name_unique_in_council"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def outward_codes(self) -> frozenset[str]:
        return frozenset(self.postcode_districts.split())


class DirectoryService(models.Model):
    """A community service of the council's directory, as its Open Referral UK feed last
    described it, with the needs it meets under the council's taxonomy mapping."""

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="directory_services"
    )
    source_id = models.CharField(
        "Feed id", max_length=oruk.ID_LENGTH, help_text="The service's id in the feed."
    )
    name = models.CharField(max_length=oruk.NAME_LENGTH)
    description = models.TextField(blank=True)
    organisation_name = models.CharField(max_length=oruk.ORGANISATION_LENGTH, blank=True)
    url = models.URLField("Website", max_length=oruk.URL_LENGTH, blank=True)
    email = models.EmailField("E-mail address", max_length=oruk.EMAIL_LENGTH, blank=True)
    phone = models.CharField(max_length=oruk.PHONE_LENGTH, blank=True)
    status = models.CharField(max_length=20, choices=ServiceStatus.choices)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    opening_times = models.TextField(blank=True)
    last_modified = models.DateTimeField(
        null=True, blank=True, help_text="When the feed says the service last changed."
    )
    imported_at = models.DateTimeField(help_text="When an import last wrote this service.")
    # [{"id", "name", "vocabulary"}] as the feed gives them; the mapping is applied to these.
    taxonomy_terms = models.JSONField(default=list, blank=True)
    # SignpostNeed values, derived from taxonomy_terms by the council's mapping.
    outcomes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "source_id"], name="directory_service_unique_in_council"
            )
        ]
        indexes = [models.Index(fields=["council", "status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_signposted(self) -> bool:
        return self.status == ServiceStatus.ACTIVE

    def need_labels(self) -> list[str]:
        labels = dict(SignpostNeed.choices)
        return [str(labels[code]) for code in self.outcomes if code in labels]


class DirectoryLocation(models.Model):
    """A place where a directory service is delivered."""

    service = models.ForeignKey(
        DirectoryService, on_delete=models.CASCADE, related_name="locations"
    )
    name = models.CharField(max_length=oruk.NAME_LENGTH, blank=True)
    address = models.CharField(max_length=oruk.ADDRESS_LENGTH, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name or self.address or f"Location of {self.service_id}"


class TaxonomyMapping(models.Model):
    """The council's choice of the need a taxonomy term of its feed stands for."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="taxonomy_mappings")
    vocabulary = models.CharField(max_length=oruk.VOCABULARY_LENGTH, blank=True)
    term_id = models.CharField(max_length=oruk.ID_LENGTH)
    term_name = models.CharField(max_length=oruk.TERM_LENGTH)
    outcome = models.CharField(max_length=20, choices=SignpostNeed.choices)

    class Meta:
        ordering = ["vocabulary", "term_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "vocabulary", "term_id"],
                name="taxonomy_mapping_unique_in_council",
            )
        ]

    def __str__(self) -> str:
        return f"{self.term_name} → {self.get_outcome_display()}"


class DirectoryImport(models.Model):
    """One run of the directory import: where from, what it did, and every record it left out."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="directory_imports")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=500, help_text="The feed's address or the file's name.")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Blank for the nightly refresh.",
    )
    read = models.PositiveIntegerField(default=0, help_text="Records in the feed.")
    imported = models.PositiveIntegerField(default=0, help_text="Services new to the directory.")
    updated = models.PositiveIntegerField(default=0, help_text="Services that had changed.")
    removed = models.PositiveIntegerField(default=0, help_text="Services gone from the feed.")
    skipped = models.PositiveIntegerField(default=0, help_text="Malformed records left out.")
    # [{"record": "Record 7 (id …)", "message": "Left out: it has no name."}]
    errors = models.JSONField(default=list, blank=True)
    complete = models.BooleanField(
        default=False,
        help_text="The whole feed was read, so services no longer in it were removed.",
    )
    failure = models.TextField(blank=True, help_text="Why nothing was imported, when it failed.")

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"Directory import {self.pk} for {self.council}"

    @property
    def succeeded(self) -> bool:
        return self.finished_at is not None and not self.failure
