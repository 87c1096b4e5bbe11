"""Writes that race a correction of the article's text: each is checked against, and placed in,
the text as it is under the article's lock, never the one its client (or the server, a moment
earlier) read."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from annotations import services
from annotations.models import Article, Quote, Status
from tests.api_helpers import client_for, make_user

SAID_AFTER = "“The budget is balanced,” said Alice Jones on Monday."
SAID_BEFORE = "“The budget is balanced,” Alice Jones said on Monday."


@pytest.mark.django_db
def test_a_quote_made_from_an_article_read_before_a_correction_is_checked_against_the_new_text():
    """The quote's words are at the same place in both texts, its cue and speaker are not: the
    cue and speaker offsets read off the old text are refused, not stored on other words."""
    article = services.article_create(body=SAID_AFTER)
    stale = Article.objects.get(pk=article.pk)  # as the API's serializer read it
    services.article_update(article=article, body=SAID_BEFORE)
    cue = SAID_AFTER.index("said")
    speaker = SAID_AFTER.index("Alice")
    with pytest.raises(ValidationError, match="cue"):
        services.quote_create(article=stale, user=None, start=0, end=26, text=SAID_AFTER[:26],
                              cue="said", cue_start=cue, cue_end=cue + 4,
                              speaker_start=speaker, speaker_end=speaker + 11)
    assert not Quote.objects.filter(article=article).exists()
    # Offsets read off the new text are stored, with their context from it.
    cue = SAID_BEFORE.index("said")
    quote = services.quote_create(article=stale, user=None, start=0, end=26, text=SAID_BEFORE[:26],
                                  cue="said", cue_start=cue, cue_end=cue + 4)
    assert quote.suffix == SAID_BEFORE[26:26 + len(quote.suffix)] and stale.revision == 2


@pytest.mark.django_db(transaction=True)
def test_accept_all_waits_for_a_correction_being_stored_and_refuses_the_revision_it_replaces():
    article = services.article_create(body=SAID_AFTER, suggest_after=False)
    Quote.objects.create(article=article, start=0, end=26, exact=SAID_AFTER[:26], status=Status.SUGGESTED,
                         origin="engine", engine_version="rules-4", confidence=0.9)
    editor = client_for(make_user("eddie", "editors"))
    locked, release = threading.Event(), threading.Event()

    def correct():
        try:
            with transaction.atomic():
                services.article_update(article=Article.objects.get(pk=article.pk), body=SAID_AFTER + " More.")
                locked.set()
                release.wait(10)  # the correction is still being stored when accept-all comes
        finally:
            connection.close()

    corrector = threading.Thread(target=correct)
    corrector.start()
    assert locked.wait(10)
    threading.Timer(0.5, release.set).start()
    answer = editor.post("/api/v1/quotes/accept-all/", {"article_id": article.id, "min_confidence": 0},
                         format="json", HTTP_X_ARTICLE_REVISION="1")
    corrector.join()
    assert answer.status_code == 412 and answer.json()["code"] == "article_changed", answer.content
    assert not Quote.objects.filter(article=article, status=Status.ACCEPTED).exists()
    for sent in ("abc", "²", "3", "99999999999999999999999"):  # the last two: revisions it never had
        bad = editor.post("/api/v1/quotes/accept-all/", {"article_id": article.id, "min_confidence": 0},
                          format="json", HTTP_X_ARTICLE_REVISION=sent)
        assert bad.status_code == 400 and "X-Article-Revision" in bad.json(), bad.content
    assert "not one this article has had (it is at 2)" in str(bad.json()["X-Article-Revision"])


@pytest.mark.django_db
def test_marking_done_a_text_that_changed_since_it_was_reviewed_is_refused():
    article = services.article_create(body=SAID_AFTER, suggest_after=False)
    services.article_update(article=article, body=SAID_BEFORE)
    editor = client_for(make_user("eddie", "editors"))
    stale = editor.post(f"/api/v1/articles/{article.id}/done/", HTTP_X_ARTICLE_REVISION="1")
    assert stale.status_code == 412 and stale.json()["code"] == "article_changed", stale.content
    assert Article.objects.get(pk=article.pk).review == Article.Review.NEEDS_REVIEW
    fresh = editor.post(f"/api/v1/articles/{article.id}/done/", HTTP_X_ARTICLE_REVISION="2")
    assert fresh.status_code == 200 and fresh.json()["review"] == "done", fresh.content


@pytest.mark.django_db
def test_reopening_from_a_page_on_an_older_text_is_refused():
    article = services.article_create(body=SAID_AFTER, suggest_after=False)
    editor = client_for(make_user("eddie", "editors"))
    # Done at revision 1, corrected (back to review), done again at revision 2 by someone else;
    # the first page, still on revision 1, clicks Reopen.
    assert editor.post(f"/api/v1/articles/{article.id}/done/", HTTP_X_ARTICLE_REVISION="1").status_code == 200
    services.article_update(article=article, body=SAID_BEFORE)
    assert editor.post(f"/api/v1/articles/{article.id}/done/", HTTP_X_ARTICLE_REVISION="2").status_code == 200
    stale = editor.post(f"/api/v1/articles/{article.id}/reopen/", HTTP_X_ARTICLE_REVISION="1")
    assert stale.status_code == 412 and stale.json()["code"] == "article_changed", stale.content
    assert Article.objects.get(pk=article.pk).review == Article.Review.DONE
    fresh = editor.post(f"/api/v1/articles/{article.id}/reopen/", HTTP_X_ARTICLE_REVISION="2")
    assert fresh.status_code == 200 and fresh.json()["review"] == "needs_review", fresh.content


@pytest.mark.django_db
def test_a_write_to_something_gone_names_what_is_gone():
    editor = client_for(make_user("eddie", "editors"))
    article = editor.post("/api/v1/articles/999999/done/")
    assert article.status_code == 404 and article.json()["code"] == "gone"
    assert article.json()["detail"].startswith("This article is not there any more: it was deleted. ")
    quote = editor.post("/api/v1/quotes/999999/accept/")
    assert quote.status_code == 404 and "a suggestion that a newer suggestion pass replaced" in quote.json()["detail"]
