from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("frontdoor", "0006_professional_referral")]

    operations = []
