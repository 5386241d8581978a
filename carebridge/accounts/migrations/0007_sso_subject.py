import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_contact_address_and_mobile")]

    operations = [
        migrations.CreateModel(
            name="SignOnSubject",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("issuer", models.CharField(max_length=200)),
                ("subject", models.CharField(max_length=255)),
                ("first_signed_in_at", models.DateTimeField()),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sign_on_subjects",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("issuer", "subject"), name="sign_on_subject_once"
                    ),
                    models.UniqueConstraint(
                        fields=("user", "issuer"), name="one_subject_per_issuer"
                    ),
                ],
            },
        ),
    ]
