"""The professional journey's fields on a front-door request (issue 24)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("frontdoor", "0005_decision_wait"),
    ]

    operations = [
        migrations.AddField(
            model_name="frontdoorrequest",
            name="asker_email_confirmed",
            field=models.BooleanField(
                default=False,
                help_text="The professional confirmed their work e-mail with a code sent to it.",
                verbose_name="Work e-mail confirmed",
            ),
        ),
        migrations.AddField(
            model_name="frontdoorrequest",
            name="current_services",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="frontdoorrequest",
            name="demographics_from_pds",
            field=models.BooleanField(
                default=False,
                help_text="Name, address and GP practice were filled in from the NHS Personal Demographics Service, and checked by the professional.",
                verbose_name="Details from the NHS record",
            ),
        ),
        migrations.AddField(
            model_name="frontdoorrequest",
            name="gp_practice",
            field=models.CharField(blank=True, max_length=200, verbose_name="GP practice"),
        ),
        migrations.AddField(
            model_name="frontdoorrequest",
            name="others_involved",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="frontdoorrequest",
            name="person_address_line_1",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="frontdoorrequest",
            name="person_address_line_2",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="frontdoorrequest",
            name="person_nhs_number",
            field=models.CharField(blank=True, max_length=10, verbose_name="NHS number"),
        ),
        migrations.AddField(
            model_name="frontdoorrequest",
            name="person_town",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="frontdoorrequest",
            name="presenting_need",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="frontdoorrequest",
            name="professional_kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("gp_practice", "GP practice"),
                    ("hospital", "Hospital"),
                    ("housing", "Housing"),
                    ("police", "Police"),
                    ("voluntary_sector", "Voluntary sector"),
                    ("council_service", "Another council service"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="frontdoorrequest",
            name="risk_to_others",
            field=models.CharField(
                blank=True,
                choices=[("yes", "Yes"), ("no", "No"), ("not_known", "Not known")],
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="frontdoorrequest",
            name="risk_to_others_details",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="frontdoorrequest",
            name="risk_to_person",
            field=models.CharField(
                blank=True,
                choices=[("yes", "Yes"), ("no", "No"), ("not_known", "Not known")],
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="frontdoorrequest",
            name="risk_to_person_details",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="frontdoorrequest",
            name="risk_to_staff",
            field=models.CharField(
                blank=True,
                choices=[("yes", "Yes"), ("no", "No"), ("not_known", "Not known")],
                max_length=10,
                verbose_name="Risk to staff visiting",
            ),
        ),
        migrations.AddField(
            model_name="frontdoorrequest",
            name="risk_to_staff_details",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="frontdoorrequest",
            name="sharing_basis",
            field=models.CharField(
                blank=True,
                choices=[
                    ("consent", "The person agrees"),
                    ("lacks_capacity", "Without consent: the person lacks capacity to agree"),
                    ("risk", "Without consent: a risk to the person or to others"),
                ],
                help_text="Why the council may have the person's details: consent, or a professional's basis for referring without it.",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="frontdoorrequest",
            name="sharing_basis_reason",
            field=models.TextField(blank=True),
        ),
    ]
