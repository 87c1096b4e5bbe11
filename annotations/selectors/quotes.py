"""Reads of quotes, scoped to what the user may see, and their rows as the API and exports give
them."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, OuterRef
from django.db.models.functions import Substr

from annotations import roles
from annotations.models import Anchor, Quote, Status
from annotations.selectors.endorsements import _endorsements_scope


def quotes_visible(*, user):
    """Viewers see accepted quotes only; editors and admins also see suggested and rejected."""
    qs = Quote.objects.all()
    if not roles.is_editor(user):
        qs = qs.filter(status=Status.ACCEPTED)
    return qs


# What a quote row carries, read with values(): no model instances on list paths.
QUOTE_VALUES = [
    "id", "article_id", "article__title", "article__url", "article__outlet", "article__published_on",
    "exact", "start", "end", "prefix", "suffix", "kind", "speaker_id", "speaker__name",
    "speaker__description", "speaker_start", "speaker_end", "cue", "cue_start", "cue_end", "status",
    "origin", "engine_version", "confidence", "created_by__username", "created_at",
    "reviewed_by__username", "reviewed_at", "updated_at", "anchor", "reworded_from",
]


def quote_values(qs, *, user):
    """Rows with everything a quote shows, tag slugs and the endorsements (that `user` may see)
    it is evidence for included, in one query."""
    return qs.annotate(
        tag_slugs=ArraySubquery(
            Quote.tags.through.objects.filter(quote_id=OuterRef("id")).order_by("tag__slug").values("tag__slug")
        ),
        endorsement_ids=ArraySubquery(
            _endorsements_scope(user).filter(evidence_id=OuterRef("id")).order_by("id").values("id")
        ),
    ).values(*QUOTE_VALUES, "tag_slugs", "endorsement_ids")


def quote_mentions(ids: list[int]) -> dict[int, str]:
    """{id: the words naming the speaker} of those quotes whose speaker is only a mention in the
    text ("He", "A senior Taliban member"), as the editor shows them: a slice of the body read
    in the database, not the whole body."""
    rows = (Quote.objects.filter(id__in=ids, speaker__isnull=True, speaker_start__isnull=False,
                                 anchor=Anchor.ANCHORED)
            .annotate(mention=Substr("article__body", F("speaker_start") + 1, F("speaker_end") - F("speaker_start")))
            .values_list("id", "mention"))
    return dict(rows)


def quote_rows(qs, ids: list[int], *, user) -> list[dict]:
    """quote_values rows of `qs` (the user's scope, so they still see only what they may) for
    `ids`, in that order: for a page whose order was found first."""
    by_id = {row["id"]: row for row in quote_values(qs.filter(id__in=ids).order_by(), user=user)}
    return [by_id[i] for i in ids if i in by_id]
