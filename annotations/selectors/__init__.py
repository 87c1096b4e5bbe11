"""Reads. Every list a user sees goes through here, scoped to what they may see: one module per
concept (articles, quotes, endorsements, speakers, search, suggestions), all of it here as
`selectors.<name>`."""

from annotations.selectors.articles import (
    article_find_duplicate,
    article_list_with_counts,
    article_next_to_review,
)
from annotations.selectors.endorsements import (
    quote_ids_endorsed,
    endorsements_visible,
    endorsement_response_chain,
    endorsements_scope,
    endorsements_for_graph,
    GRAPH_MAX_EDGES,
    endorsement_graph,
    ENDORSEMENT_VALUES,
    endorsement_values,
)
from annotations.selectors.quotes import (
    quotes_visible,
    QUOTE_VALUES,
    quote_values,
    quote_mentions,
    quote_rows,
)
from annotations.selectors.search import (
    search_lexeme,
    quotes_search,
    quotes_with_lexeme,
    ranks_every_match,
    quotes_ranked,
    entity_ids_named,
)
from annotations.selectors.speakers import (
    entity_find,
    entities_visible,
    entity_quotes,
    entity_counts,
    entity_quotes_by_month,
    entity_endorsements,
)
from annotations.selectors.suggestions import gold_from_editors

__all__ = [
    "article_find_duplicate",
    "article_list_with_counts",
    "article_next_to_review",
    "quote_ids_endorsed",
    "endorsements_visible",
    "endorsement_response_chain",
    "endorsements_scope",
    "endorsements_for_graph",
    "GRAPH_MAX_EDGES",
    "endorsement_graph",
    "ENDORSEMENT_VALUES",
    "endorsement_values",
    "quotes_visible",
    "QUOTE_VALUES",
    "quote_values",
    "quote_mentions",
    "quote_rows",
    "search_lexeme",
    "quotes_search",
    "quotes_with_lexeme",
    "ranks_every_match",
    "quotes_ranked",
    "entity_ids_named",
    "entity_find",
    "entities_visible",
    "entity_quotes",
    "entity_counts",
    "entity_quotes_by_month",
    "entity_endorsements",
    "gold_from_editors",
]
