"""The term index behind one-word searches: database triggers keep it equal to the quotes,
however they are written, and a search through it finds and orders exactly what ranking every
match does."""

import pytest
from django.db import connection

from annotations import selectors
from annotations.models import Quote, QuoteTerm
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

TEXTS = [
    "Taxes will fall, and taxes will fall again",
    "The budget vote is on Monday",
    "budget budget budget",
    "We will not raise taxes",
    r"See https://example.org/a'b?c=1 or C:\budget\taxes.txt for O'Neil's budget",
    "Monday, Monday",
]


def terms_from_quotes() -> set[tuple]:
    """What the index must hold: every lexeme of every quote, ranked as a search for it alone."""
    with connection.cursor() as cursor:
        cursor.execute(
            # A tsvector of the lexeme alone, written as text, is that lexeme as a tsquery.
            "SELECT t.lexeme, (ts_rank(q.search_vector, array_to_tsvector(ARRAY[t.lexeme])::text::tsquery)"
            " * 1000000)::integer, q.id FROM annotations_quote q, unnest(q.search_vector) t")
        return set(cursor.fetchall())


def index() -> set[tuple]:
    return set(QuoteTerm.objects.values_list("lexeme", "rank", "quote_id"))


# Quotes here hold words that are not in their article's body: the database lets only an
# orphan (one whose words an edit of the text removed) do that, and orphans are searched too.
ORPHAN = {"anchor": "orphaned"}


def make(article, text, **fields):
    return Quote.objects.create(article=article, start=0, end=len(text), exact=text, **ORPHAN, **fields)


def test_every_write_keeps_the_index_equal_to_the_quotes():
    article = ArticleFactory()
    first = make(article, TEXTS[0])
    assert index() == terms_from_quotes() and ("tax", first.id) in {(t[0], t[2]) for t in index()}

    Quote.objects.bulk_create([Quote(article=article, start=0, end=len(t), exact=t, **ORPHAN) for t in TEXTS[1:]])
    assert index() == terms_from_quotes()

    first.exact = "Spending will rise"
    first.save()
    assert index() == terms_from_quotes()
    assert not QuoteTerm.objects.filter(quote=first, lexeme="tax").exists()

    before = index()
    Quote.objects.update(status="accepted")  # a status change leaves the words alone
    assert index() == before

    Quote.objects.filter(exact__contains="budget").update(exact="A new deal")
    assert index() == terms_from_quotes()

    first.delete()
    assert index() == terms_from_quotes()
    assert not QuoteTerm.objects.filter(quote_id=first.id).exists()

    article.delete()  # its quotes go with it, and so do their terms
    assert Quote.objects.count() == 0 and index() == set()


def ranked(qs):
    return list(qs.order_by("-rank", "-id").values_list("id", "rank"))


@pytest.mark.parametrize("query", ["taxes", "Budget", "monday", "Neil", "example.org", "raise", "nothing"])
def test_a_one_word_search_finds_and_orders_what_ranking_every_match_does(query):
    article = ArticleFactory()
    for i, text in enumerate(TEXTS * 2):
        make(article, text, status="suggested" if i % 4 == 0 else "accepted")
    lexeme = selectors.search_lexeme(query)
    assert lexeme is not None
    found = {}
    for scope in ("all", "accepted"):
        qs = Quote.objects.all() if scope == "all" else Quote.objects.filter(status="accepted")
        found[scope] = ranked(selectors.quotes_with_lexeme(qs, lexeme=lexeme))
        assert found[scope] == ranked(selectors.quotes_ranked(qs, text=query))
    assert (query == "nothing") == (found["accepted"] == [])


@pytest.mark.parametrize("query, lexeme", [
    ("Taxes", "tax"), ('"budget"', "budget"), ("budget!", "budget"), ("budget or", "budget"),
    ("tax cut", None), ("-tax", None), ('"tax cut"', None), ("tax or cut", None), ("the", None), ("", None),
])
def test_which_searches_are_one_word(query, lexeme):
    assert selectors.search_lexeme(query) == lexeme


def test_a_search_too_broad_to_rank_in_time_is_a_400_that_says_so(settings):
    from tests.api_helpers import client_for, make_user

    article = ArticleFactory()
    Quote.objects.bulk_create([Quote(article=article, start=0, end=20, exact="taxes and budget cuts",
                                     status="accepted", **ORPHAN) for _ in range(5000)])
    viewer = client_for(make_user("vic", "viewers"))
    assert len(viewer.get("/api/v1/quotes/?q=taxes budget").json()["results"]) == 50
    export = viewer.get("/api/v1/quotes/?q=taxes budget&format=jsonl")
    assert export.status_code == 200 and len(b"".join(export.streaming_content).splitlines()) == 5000

    settings.SEARCH_TIMEOUT_MS = 1
    answer = viewer.get("/api/v1/quotes/?q=taxes budget")
    assert answer.status_code == 400
    assert "too many quotes to rank" in answer.json()["q"][0]
    # An export of the same search is held to the same limit, answered before any row streams.
    export = viewer.get("/api/v1/quotes/?q=taxes budget&format=csv")
    assert export.status_code == 400 and "too many quotes to rank" in export.json()["q"][0]
    # One word is read from the term index, in order: never cancelled.
    assert viewer.get("/api/v1/quotes/?q=taxes").status_code == 200


def test_the_index_knows_which_terms_are_of_accepted_quotes():
    """Viewers' searches read only accepted quotes' terms: the flag follows every status change."""
    article = ArticleFactory()
    first = make(article, TEXTS[0], status="suggested")
    Quote.objects.bulk_create([Quote(article=article, start=0, end=len(t), exact=t, status="accepted", **ORPHAN)
                               for t in TEXTS[1:3]])

    def flags_match():
        wrong = QuoteTerm.objects.exclude(accepted=True, quote__status="accepted").filter(accepted=True).count()
        missing = QuoteTerm.objects.filter(accepted=False, quote__status="accepted").count()
        return wrong == missing == 0 and QuoteTerm.objects.filter(accepted=True).exists()

    assert flags_match()
    Quote.objects.filter(pk=first.pk).update(status="accepted")
    assert flags_match() and QuoteTerm.objects.filter(quote=first, accepted=False).count() == 0
    Quote.objects.update(status="rejected")
    assert not QuoteTerm.objects.filter(accepted=True).exists()
    Quote.objects.filter(pk=first.pk).update(status="accepted", exact="Spending will rise")  # both at once
    assert set(QuoteTerm.objects.filter(accepted=True).values_list("lexeme", flat=True)) == {"spend", "rise"}
    assert index() == terms_from_quotes()
