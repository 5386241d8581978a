from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("organisations", "0014_contact_details")]

    operations = []
