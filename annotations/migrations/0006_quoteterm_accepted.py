"""The term index says which terms belong to accepted quotes, so a viewer's one-word search reads
only those (a partial index): hidden quotes that hold the word cost it nothing, and its time tells
nothing about them."""

from django.db import migrations, models

FORWARD = """
ALTER TABLE annotations_quoteterm ADD COLUMN accepted boolean NOT NULL DEFAULT false;
UPDATE annotations_quoteterm d SET accepted = true
FROM annotations_quote q WHERE q.id = d.quote_id AND q.status = 'accepted';
CREATE INDEX annotations_quoteterm_accepted ON annotations_quoteterm (lexeme, rank, quote_id) WHERE accepted;

CREATE OR REPLACE FUNCTION annotations_quoteterm_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO annotations_quoteterm (lexeme, rank, quote_id, accepted)
  SELECT t.lexeme, annotations_quoteterm_rank(n.search_vector, t.lexeme), n.id, n.status = 'accepted'
  FROM new_quotes n, unnest(n.search_vector) t;
  RETURN NULL;
END $$;

-- Quotes whose text changed get their terms anew; quotes accepted, or no longer accepted, with
-- the same text get the flag changed on the terms they have.
CREATE OR REPLACE FUNCTION annotations_quoteterm_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM annotations_quoteterm d
  USING old_quotes o JOIN new_quotes n ON n.id = o.id, unnest(o.search_vector) t
  WHERE n.search_vector IS DISTINCT FROM o.search_vector
    AND d.lexeme = t.lexeme AND d.rank = annotations_quoteterm_rank(o.search_vector, t.lexeme)
    AND d.quote_id = o.id;
  INSERT INTO annotations_quoteterm (lexeme, rank, quote_id, accepted)
  SELECT t.lexeme, annotations_quoteterm_rank(n.search_vector, t.lexeme), n.id, n.status = 'accepted'
  FROM old_quotes o JOIN new_quotes n ON n.id = o.id, unnest(n.search_vector) t
  WHERE n.search_vector IS DISTINCT FROM o.search_vector;
  UPDATE annotations_quoteterm d SET accepted = (n.status = 'accepted')
  FROM old_quotes o JOIN new_quotes n ON n.id = o.id, unnest(n.search_vector) t
  WHERE n.search_vector IS NOT DISTINCT FROM o.search_vector
    AND (n.status = 'accepted') IS DISTINCT FROM (o.status = 'accepted')
    AND d.lexeme = t.lexeme AND d.rank = annotations_quoteterm_rank(n.search_vector, t.lexeme)
    AND d.quote_id = n.id;
  RETURN NULL;
END $$;
"""

# Migration 0004's functions, and the table without the flag.
BACKWARD = """
CREATE OR REPLACE FUNCTION annotations_quoteterm_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO annotations_quoteterm (lexeme, rank, quote_id)
  SELECT t.lexeme, annotations_quoteterm_rank(n.search_vector, t.lexeme), n.id
  FROM new_quotes n, unnest(n.search_vector) t;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION annotations_quoteterm_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM annotations_quoteterm d
  USING old_quotes o JOIN new_quotes n ON n.id = o.id, unnest(o.search_vector) t
  WHERE n.search_vector IS DISTINCT FROM o.search_vector
    AND d.lexeme = t.lexeme AND d.rank = annotations_quoteterm_rank(o.search_vector, t.lexeme)
    AND d.quote_id = o.id;
  INSERT INTO annotations_quoteterm (lexeme, rank, quote_id)
  SELECT t.lexeme, annotations_quoteterm_rank(n.search_vector, t.lexeme), n.id
  FROM old_quotes o JOIN new_quotes n ON n.id = o.id, unnest(n.search_vector) t
  WHERE n.search_vector IS DISTINCT FROM o.search_vector;
  RETURN NULL;
END $$;

DROP INDEX annotations_quoteterm_accepted;
ALTER TABLE annotations_quoteterm DROP COLUMN accepted;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("annotations", "0005_suggestion_outbox"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(FORWARD, BACKWARD)],
            state_operations=[
                migrations.AddField(model_name="quoteterm", name="accepted", field=models.BooleanField(default=False)),
            ],
        ),
    ]
