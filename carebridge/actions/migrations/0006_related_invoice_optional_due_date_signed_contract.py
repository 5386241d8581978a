from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("actions", "0005_related_kind_dispute")]

    operations = [
        migrations.AddField(
            model_name="action",
            name="related_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="actiontype",
            name="is_signed_contract",
            field=models.BooleanField(
                default=False,
                help_text="The type a residential or nursing provider sends its physically "
                "signed contract with, about the client, to the type's team (Stockport's guide, "
                "appendix 1).",
                verbose_name="For signed residential or nursing contracts",
            ),
        ),
        migrations.AlterField(
            model_name="action",
            name="due_date",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="action",
            name="related_kind",
            field=models.CharField(
                choices=[
                    ("client", "Client"),
                    ("contract", "Contract"),
                    ("service", "Service"),
                    ("cpli", "Care package line item"),
                    ("contract_document", "Contract document"),
                    ("contact", "Contact"),
                    ("provider", "Provider"),
                    ("dispute", "Dispute"),
                    ("invoice", "Invoice"),
                ],
                max_length=30,
            ),
        ),
    ]
