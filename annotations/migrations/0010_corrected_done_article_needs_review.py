from django.db import migrations

# A done article is a complete annotation of its text: retraining reads everything in it
# that was not accepted as a negative. A corrected text may hold quotes nobody has looked at
# (and orphans to re-attach), so a body change of a done article puts it back in the review
# queue, however the row is written (a write that marks a not-done article done with a new
# body keeps its done).
FORWARD = """
CREATE OR REPLACE FUNCTION annotations_article_body_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.revision = OLD.revision THEN
    NEW.revision := OLD.revision + 1;
  END IF;
  NEW.body_sha256 := encode(sha256(convert_to(NEW.body, 'UTF8')), 'hex');
  IF OLD.review = 'done' AND NEW.review = 'done' THEN
    NEW.review := 'needs_review';
    NEW.done_by_id := NULL;
    NEW.done_at := NULL;
  END IF;
  RETURN NEW;
END $$;
"""

# 0007's function, as it was.
BACKWARD = """
CREATE OR REPLACE FUNCTION annotations_article_body_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.revision = OLD.revision THEN
    NEW.revision := OLD.revision + 1;
  END IF;
  NEW.body_sha256 := encode(sha256(convert_to(NEW.body, 'UTF8')), 'hex');
  RETURN NEW;
END $$;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("annotations", "0009_suggester_models"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
