from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("organisations", "0013_rulebook_passkeys")]

    operations = []
