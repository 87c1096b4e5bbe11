import django.db.models.deletion
from django.db import migrations, models

# A quote's rank in a search for one of its words: the expression selectors.quotes_search
# ranks by, with the word written as a tsquery literal (quotes doubled, backslashes escaped).
RANK = """
CREATE FUNCTION annotations_quoteterm_rank(vector tsvector, lexeme text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (ts_rank(vector, ('''' || replace(replace(lexeme, chr(92), chr(92) || chr(92)), '''', '''''')
                           || '''')::tsquery) * 1000000)::integer
$$;
"""

# Statement triggers with transition tables: a bulk insert of 250 suggestions, or a COPY of a
# million quotes, writes its terms in one statement instead of one per quote.
TRIGGERS = """
CREATE FUNCTION annotations_quoteterm_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO annotations_quoteterm (lexeme, rank, quote_id)
  SELECT t.lexeme, annotations_quoteterm_rank(n.search_vector, t.lexeme), n.id
  FROM new_quotes n, unnest(n.search_vector) t;
  RETURN NULL;
END $$;

CREATE FUNCTION annotations_quoteterm_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM annotations_quoteterm d USING old_quotes o, unnest(o.search_vector) t
  WHERE d.lexeme = t.lexeme AND d.rank = annotations_quoteterm_rank(o.search_vector, t.lexeme)
    AND d.quote_id = o.id;
  RETURN NULL;
END $$;

-- Only quotes whose text (so whose vector) changed: accepting or re-tagging touches nothing.
CREATE FUNCTION annotations_quoteterm_update() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE FUNCTION annotations_quoteterm_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE annotations_quoteterm;
  RETURN NULL;
END $$;

CREATE TRIGGER annotations_quoteterm_insert AFTER INSERT ON annotations_quote
  REFERENCING NEW TABLE AS new_quotes FOR EACH STATEMENT EXECUTE FUNCTION annotations_quoteterm_insert();
CREATE TRIGGER annotations_quoteterm_delete AFTER DELETE ON annotations_quote
  REFERENCING OLD TABLE AS old_quotes FOR EACH STATEMENT EXECUTE FUNCTION annotations_quoteterm_delete();
CREATE TRIGGER annotations_quoteterm_update AFTER UPDATE ON annotations_quote
  REFERENCING OLD TABLE AS old_quotes NEW TABLE AS new_quotes
  FOR EACH STATEMENT EXECUTE FUNCTION annotations_quoteterm_update();
CREATE TRIGGER annotations_quoteterm_truncate AFTER TRUNCATE ON annotations_quote
  FOR EACH STATEMENT EXECUTE FUNCTION annotations_quoteterm_truncate();
"""

# The quotes stored before this migration. The triggers come first: creating them locks out
# quote writes until this commits, so none is missed. The primary key is built after the rows
# are in: a million quotes' terms take about a minute that way, twice that inserted one by one
# into the index.
TABLE = """
CREATE TABLE annotations_quoteterm (lexeme text NOT NULL, rank integer NOT NULL, quote_id bigint NOT NULL);
"""
BACKFILL = """
INSERT INTO annotations_quoteterm (lexeme, rank, quote_id)
SELECT t.lexeme, annotations_quoteterm_rank(q.search_vector, t.lexeme), q.id
FROM annotations_quote q, unnest(q.search_vector) t;
ALTER TABLE annotations_quoteterm ADD PRIMARY KEY (lexeme, rank, quote_id);
"""

DROP = """
DROP TRIGGER annotations_quoteterm_insert ON annotations_quote;
DROP TRIGGER annotations_quoteterm_delete ON annotations_quote;
DROP TRIGGER annotations_quoteterm_update ON annotations_quote;
DROP TRIGGER annotations_quoteterm_truncate ON annotations_quote;
DROP FUNCTION annotations_quoteterm_insert(), annotations_quoteterm_delete(), annotations_quoteterm_update(),
  annotations_quoteterm_truncate(), annotations_quoteterm_rank(tsvector, text);
DROP TABLE annotations_quoteterm;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("annotations", "0003_quote_search_accepted"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(TABLE + RANK + TRIGGERS + BACKFILL, DROP)],
            state_operations=[
                migrations.CreateModel(
                    name="QuoteTerm",
                    fields=[
                        ("pk", models.CompositePrimaryKey("lexeme", "rank", "quote", blank=True, editable=False,
                                                          primary_key=True, serialize=False)),
                        ("lexeme", models.TextField()),
                        ("rank", models.IntegerField()),
                        ("quote", models.ForeignKey(db_constraint=False, db_index=False,
                                                    on_delete=django.db.models.deletion.DO_NOTHING,
                                                    related_name="terms", to="annotations.quote")),
                    ],
                    options={"managed": False},
                ),
            ],
        ),
    ]
