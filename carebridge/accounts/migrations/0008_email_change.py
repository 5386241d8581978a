from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_sso_subject"),
    ]

    operations = [
        migrations.AlterField(
            model_name="resetlink",
            name="purpose",
            field=models.CharField(
                choices=[
                    ("password", "password"),
                    ("passcode", "passcode"),
                    ("email", "e-mail address"),
                ],
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="resetlink",
            name="new_email",
            field=models.EmailField(blank=True, max_length=254),
        ),
    ]
