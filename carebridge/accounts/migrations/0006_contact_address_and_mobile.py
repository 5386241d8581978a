from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_user_sessions")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="mobile",
            field=models.CharField(blank=True, max_length=30),
        ),
        migrations.AddField(
            model_name="user",
            name="address_line_1",
            field=models.CharField(blank=True, max_length=200, verbose_name="Address line 1"),
        ),
        migrations.AddField(
            model_name="user",
            name="address_line_2",
            field=models.CharField(blank=True, max_length=200, verbose_name="Address line 2"),
        ),
        migrations.AddField(
            model_name="user",
            name="address_line_3",
            field=models.CharField(blank=True, max_length=200, verbose_name="Address line 3"),
        ),
        migrations.AddField(
            model_name="user",
            name="town",
            field=models.CharField(blank=True, max_length=100, verbose_name="Town or city"),
        ),
        migrations.AddField(
            model_name="user",
            name="county",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name="user",
            name="postcode",
            field=models.CharField(blank=True, max_length=8),
        ),
        migrations.AddField(
            model_name="user",
            name="country",
            field=models.CharField(blank=True, max_length=100),
        ),
    ]
