# The e-mail outbox moved to the notifications app (its 0001_initial takes these models into its
# state). The tables stay as they are, keeping every row: only Django's state changes here.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0003_team_inbox_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Notification"),
                migrations.DeleteModel(name="Subscription"),
            ],
            database_operations=[],
        ),
    ]
