"""A professional's referral records the person's main support need (the Client Level Data
return's Primary Support Reason), which routes it to a mental health or learning disability
team (issue 24)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("frontdoor", "0007_teams_and_clock")]

    operations = [
        migrations.AddField(
            model_name="frontdoorrequest",
            name="primary_support_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("Physical Support: Access & mobility only", "Access Mobility"),
                    ("Physical Support: Personal care support", "Personal Care"),
                    ("Sensory Support: Support for visual impairment", "Visual"),
                    ("Sensory Support: Support for hearing impairment", "Hearing"),
                    ("Sensory Support: Support for dual impairment", "Dual"),
                    ("Support with Memory & Cognition", "Memory"),
                    ("Learning Disability Support", "Learning Disability"),
                    ("Mental Health Support", "Mental Health"),
                    ("Social Support: Substance misuse support", "Substance"),
                    ("Social Support: Asylum seeker support", "Asylum"),
                    ("Social Support: Support for Social Isolation/Other", "Isolation"),
                    ("Social Support: Support to Carer", "Carer"),
                    ("Unknown", "Unknown"),
                ],
                help_text="The professional's answer, from the Client Level Data return's "
                "Primary Support Reason list.",
                max_length=80,
                verbose_name="Main support need",
            ),
        ),
    ]
