from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built without locking out writes to a quote table of millions of rows.
    atomic = False

    dependencies = [
        ("annotations", "0007_reanchoring"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="quote",
            index=models.Index(fields=["speaker", "status", "article"], name="quote_speaker_status_article"),
        ),
    ]
