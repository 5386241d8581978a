import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("organisations", "0014_contact_details")]

    operations = [
        migrations.AddField(
            model_name="rulebook",
            name="actions_provider_due_date_required",
            field=models.BooleanField(
                default=True,
                help_text="Whether a provider raising an action must give it a due date.",
                verbose_name="Providers must set a due date",
            ),
        ),
        migrations.CreateModel(
            name="ProviderCouncil",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("home_care", "Home care"),
                            ("residential", "Residential care"),
                            ("nursing", "Nursing care"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "council",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="provider_kinds",
                        to="organisations.council",
                    ),
                ),
                (
                    "provider",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="kinds_at_councils",
                        to="organisations.provider",
                    ),
                ),
            ],
            options={
                "ordering": ["council", "provider"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("council", "provider"), name="provider_council_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("kind__in", ["home_care", "residential", "nursing"])),
                        name="provider_council_kind_known",
                    ),
                ],
            },
        ),
    ]
