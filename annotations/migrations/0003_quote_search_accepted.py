import django.contrib.postgres.indexes
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built concurrently: on a large quote table it takes a while, and writes go on meanwhile.
    atomic = False

    dependencies = [
        ("annotations", "0002_roles"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="quote",
            index=django.contrib.postgres.indexes.GinIndex(
                condition=models.Q(("status", "accepted")), fields=["search_vector"], name="quote_search_accepted"
            ),
        ),
    ]
