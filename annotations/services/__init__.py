"""Writes. Views, admin, commands and tasks call these and nothing else to change data: one module
per concept (articles, quotes, endorsements, speakers; spans and annotations hold what quotes and
endorsements share), all of it here as `services.<name>`."""

from annotations.services.annotations import review_set
from annotations.services.articles import (
    article_create,
    article_update,
    annotations_reanchor,
    QUOTE_SPAN_FIELDS,
    ENDORSEMENT_SPAN_FIELDS,
    annotations_restore,
    article_lock,
    article_mark_done,
)
from annotations.services.endorsements import (
    endorsements_accept_all,
    endorsement_create,
    endorsement_update,
    endorsement_check,
    endorsement_review,
    endorsement_delete,
)
from annotations.services.quotes import (
    quote_check_spans,
    quote_check_not_twice,
    quote_create,
    quote_update,
    quote_review,
    quotes_accept_all,
    quote_delete,
)
from annotations.services.speakers import (
    entity_clean_aliases,
    entity_check_names,
    entity_create,
    entity_update,
    entity_merge,
)
from annotations.services.spans import span_anchor, span_set

__all__ = [
    "review_set",
    "article_create",
    "article_update",
    "annotations_reanchor",
    "QUOTE_SPAN_FIELDS",
    "ENDORSEMENT_SPAN_FIELDS",
    "annotations_restore",
    "article_lock",
    "article_mark_done",
    "endorsements_accept_all",
    "endorsement_create",
    "endorsement_update",
    "endorsement_check",
    "endorsement_review",
    "endorsement_delete",
    "quote_check_spans",
    "quote_check_not_twice",
    "quote_create",
    "quote_update",
    "quote_review",
    "quotes_accept_all",
    "quote_delete",
    "entity_clean_aliases",
    "entity_check_names",
    "entity_create",
    "entity_update",
    "entity_merge",
    "span_anchor",
    "span_set",
]
