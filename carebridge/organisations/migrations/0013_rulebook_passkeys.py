from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0012_rulebook_retention"),
    ]

    operations = [
        migrations.AddField(
            model_name="rulebook",
            name="staff_require_passkey",
            field=models.BooleanField(
                default=False,
                help_text="Council staff must log in with a passkey (phishing-resistant): not the "
                "passcode or an authenticator app.",
            ),
        ),
    ]
