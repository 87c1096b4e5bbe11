"""Finding by words: quotes by full-text search (a query's lexeme, the matches, their rank), and
speakers by a name or alias they contain."""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, IntegerField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from annotations import roles


def search_lexeme(text: str) -> str | None:
    """The one word a search is for, as the English stemmer stores it ("Taxes" -> "tax");
    None when it holds several words, an operator, or only stop words."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT numnode(q), q::text FROM websearch_to_tsquery('english', %s) q", [text])
        nodes, written = cursor.fetchone()
    if nodes != 1 or len(written) < 2 or written[0] != "'" or written[-1] != "'":
        return None
    # Written as a tsquery literal: 'word', with quotes doubled and backslashes escaped.
    return re.sub(r"''|\\\\", lambda m: m.group()[0], written[1:-1])


def quotes_search(qs, *, text: str, user):
    """Full-text search over the quote text of `qs` (`user`'s scope), best match first (rank
    as an integer for cursors). A one-word search reads its matches in rank order from the term
    index; others rank every match. Both give the same ranks."""
    # A "quoted phrase" must stand in the text as written: PostgreSQL drops stop words, so
    # "very positive" would otherwise match every quote with "positive".
    for phrase in re.findall(r'(?<!-)"([^"]+)"', text):
        words = re.findall(r"\w+", phrase)
        if len(words) > 1:
            qs = qs.filter(exact__iregex=r"\m" + r"\W+".join(words) + r"\M")
    lexeme = search_lexeme(text)
    if lexeme is None:
        return quotes_ranked(qs, text=text)
    return quotes_with_lexeme(qs, lexeme=lexeme, accepted_only=not roles.is_editor(user))


def quotes_with_lexeme(qs, *, lexeme: str, accepted_only: bool = False):
    """Quotes holding `lexeme`, with their rank for it, from QuoteTerm: its primary key is in
    rank order, so a page costs the same for a rare word and for one in every tenth quote.
    accepted_only reads the accepted quotes' terms alone (a partial index): a viewer's search
    then neither reads nor waits for the hidden quotes that hold the word."""
    terms = {"terms__lexeme": lexeme, **({"terms__accepted": True} if accepted_only else {})}
    return qs.filter(**terms).annotate(rank=F("terms__rank"))


def ranks_every_match(qs) -> bool:
    """Whether a search queryset came from quotes_ranked, so its time grows with its matches."""
    return isinstance(qs.query.annotations.get("rank"), Cast)


def quotes_ranked(qs, *, text: str):
    """Matches of a websearch query, each ranked (reads every match)."""
    query = SearchQuery(text, config="english", search_type="websearch")
    return qs.filter(search_vector=query).annotate(
        rank=Cast(SearchRank(F("search_vector"), query) * 1_000_000, IntegerField())
    )


def entity_ids_named(*, name: str) -> RawSQL:
    """Entities whose name or any alias contains `name`, ignoring case."""
    pattern = "%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return RawSQL(
        "SELECT id FROM annotations_entity WHERE name ILIKE %s"
        " OR EXISTS (SELECT 1 FROM unnest(aliases) a WHERE a ILIKE %s)",
        [pattern, pattern],
    )
