from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("frontdoor", "0005_decision_wait")]

    operations = []
