import pytest
from django.db import IntegrityError, transaction

from annotations.models import Article, Endorsement, Quote
from tests.factories import ArticleFactory, EntityFactory, QuoteFactory

pytestmark = pytest.mark.django_db


def violates(constraint, create):
    with pytest.raises(IntegrityError) as err, transaction.atomic():
        create()
    assert constraint in str(err.value)


def test_quote_span_must_be_ordered():
    article = ArticleFactory()
    violates("quote_span_valid", lambda: Quote.objects.create(article=article, start=5, end=5, exact="x"))
    violates("quote_span_valid", lambda: Quote.objects.create(article=article, start=6, end=2, exact="x"))


def test_speaker_span_is_both_or_neither():
    article = ArticleFactory()
    violates(
        "quote_speaker_span_valid",
        lambda: Quote.objects.create(article=article, start=0, end=3, exact="Art", speaker_start=4),
    )


def test_confidence_between_zero_and_one_and_engine_rows_carry_a_version():
    article = ArticleFactory()
    violates(
        "quote_confidence_range",
        lambda: Quote.objects.create(article=article, start=0, end=3, exact="Art", confidence=1.5),
    )
    violates(
        "quote_engine_has_version",
        lambda: Quote.objects.create(article=article, start=0, end=3, exact="Art", origin="engine"),
    )


def test_article_body_required_and_deduplicated_by_hash_without_url():
    violates("article_body_not_empty", lambda: ArticleFactory(body=""))
    ArticleFactory(body="Same text.")
    violates("article_unique_body_without_url", lambda: ArticleFactory(body="Same text."))
    # With distinct urls, the same body may appear twice (syndicated copies).
    ArticleFactory(body="Same text.", url="https://a.example/1")
    ArticleFactory(body="Same text.", url="https://b.example/1")
    violates("url", lambda: ArticleFactory(body="Other.", url="https://a.example/1"))


def test_entity_names_unique_ignoring_case():
    EntityFactory(name="Zabiullah Mujahid")
    violates("entity_unique_name_ci", lambda: EntityFactory(name="zabiullah mujahid"))


def test_endorsement_needs_a_target_and_a_known_polarity():
    article = ArticleFactory()
    taliban = EntityFactory(name="Taliban")
    violates(
        "endorsement_has_target",
        lambda: Endorsement.objects.create(article=article, endorser=taliban, polarity="supports"),
    )
    violates(
        "endorsement_polarity_known",
        lambda: Endorsement.objects.create(
            article=article, endorser=taliban, polarity="likes", target_text="America First"
        ),
    )


def test_changes_are_kept_in_history():
    quote = QuoteFactory()
    quote.status = "rejected"
    quote.save()
    statuses = list(quote.history.order_by("history_date").values_list("status", flat=True))
    assert statuses == ["accepted", "rejected"]
    article = Article.objects.get(pk=quote.article_id)
    article.title = "New title"
    article.save()
    assert article.history.count() == 2


def test_forms_say_what_a_constraint_wants_not_its_name():
    """The admin validates a row with full_clean: its messages are the constraints' own words."""
    from django.core.exceptions import ValidationError

    article = ArticleFactory()
    quote = Quote(article=article, start=5, end=2, exact="Art", confidence=7, speaker_start=4)
    with pytest.raises(ValidationError) as err:
        quote.full_clean()
    said = " ".join(err.value.messages)
    assert "The confidence is a number from 0 to 1, or empty." in said
    assert "start must be 0 or more and less than end." in said
    assert "Give both speaker_start and speaker_end, or neither" in said
    assert "quote_confidence_range" not in said and "is violated" not in said
