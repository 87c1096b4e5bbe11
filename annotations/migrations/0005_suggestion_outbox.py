"""SuggestionRun becomes the outbox of the suggestion pipeline (pending runs), and aliases
get a case-insensitive index so speakers resolve by alias without scanning every entity."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('annotations', '0004_quote_terms'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='suggestionrun',
            options={'ordering': ['-queued_at']},
        ),
        migrations.AddField(
            model_name='suggestionrun',
            name='attempts',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='suggestionrun',
            name='queued_at',
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name='suggestionrun',
            name='started_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='suggestionrun',
            name='status',
            field=models.CharField(choices=[('pending', 'Pending'), ('done', 'Done'), ('failed', 'Failed'), ('superseded', 'Superseded')], default='pending', max_length=10),
        ),
        migrations.AddIndex(
            model_name='suggestionrun',
            index=models.Index(condition=models.Q(('status', 'pending')), fields=['id'], name='suggestion_run_pending'),
        ),
        migrations.AddIndex(
            model_name='suggestionrun',
            index=models.Index(fields=['status', 'finished_at'], name='suggestion_run_status'),
        ),
        # A run the old code left 'running' was interrupted: it is pending again.
        migrations.RunSQL(
            "UPDATE annotations_suggestionrun SET queued_at = started_at;"
            "UPDATE annotations_suggestionrun SET status = 'pending', finished_at = NULL"
            " WHERE status = 'running';",
            migrations.RunSQL.noop,
        ),
        migrations.RunSQL(
            "CREATE FUNCTION annotations_lower_array(text[]) RETURNS text[]"
            " LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT"
            " AS $$ SELECT array_agg(lower(x)) FROM unnest($1) AS x $$;"
            "CREATE INDEX entity_aliases_lower_gin ON annotations_entity"
            " USING gin (annotations_lower_array(aliases));",
            "DROP INDEX entity_aliases_lower_gin; DROP FUNCTION annotations_lower_array(text[]);",
        ),
        migrations.AddConstraint(
            model_name='suggestionrun',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'done', 'failed', 'superseded'])), name='suggestion_run_status_known'),
        ),
    ]
