"""Search by NDC (issue 13): an index on the prescription's NDC. The other keys the search
reads are unique already (member ID, NPI, authorization number) or primary keys."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("priorauth", "0012_attachments_and_notes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="prescription",
            index=models.Index(fields=["ndc"], name="prescription_ndc_idx"),
        ),
    ]
