from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("organisations", "0013_rulebook_passkeys")]

    operations = [
        migrations.AddField(
            model_name="provider",
            name="country",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name="provider",
            name="fax",
            field=models.CharField(blank=True, max_length=30),
        ),
        migrations.AddField(
            model_name="service",
            name="country",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name="service",
            name="fax",
            field=models.CharField(blank=True, max_length=30),
        ),
    ]
