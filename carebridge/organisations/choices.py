from django.db import models


class ContractType(models.TextChoices):
    """The kind of contract between a council and a provider; it decides the payment rules."""

    SPOT = "spot", "Spot"
    BLOCK_OLD = "block_old", "Old block"
    BLOCK_2013 = "block_2013", "2013 block"
    BLOCK_2015 = "block_2015", "2015 block"
    FRAMEWORK = "framework", "Framework"


class ActualsPeriod(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FOUR_WEEKLY = "four_weekly", "4-weekly"


class ConfirmationRule(models.TextChoices):
    """How a council sets the deadline for confirming a period's actuals."""

    WEEKDAY_AFTER = "weekday_after", "By close of business on a given weekday after the period"
    WORKING_DAYS_AFTER = "working_days_after", "A number of working days after the period"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class TeamKind(models.TextChoices):
    BROKERAGE = "brokerage", "Brokerage"
    PAYMENTS = "payments", "Payments and contracts"
    PROCUREMENT = "procurement", "Procurement"
    FRONT_DOOR = "front_door", "Front door"
    SYSTEMS = "systems", "Systems"
    DISTRICT = "district", "District team"
    HOSPITAL = "hospital", "Hospital discharge"
