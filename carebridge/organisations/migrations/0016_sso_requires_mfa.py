from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("organisations", "0015_provider_kinds_and_actions")]

    operations = [
        migrations.AddField(
            model_name="rulebook",
            name="sso_requires_mfa",
            field=models.BooleanField(default=False),
        ),
    ]
