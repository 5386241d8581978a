from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("actions", "0006_related_invoice_optional_due_date_signed_contract")]

    operations = [
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
                    ("spot_commitment", "Spot commitment"),
                    ("value_commitment", "Value commitment"),
                ],
                max_length=30,
            ),
        ),
    ]
