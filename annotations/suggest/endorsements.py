"""Endorsements: who supports or opposes whom, from verbs of support and opposition."""

from annotations.suggest.lexicon import OPPOSE_VERBS, POSITIVE_PHRASES, SUPPORT_VERBS
from annotations.suggest.types import EndorsementSuggestion


def find(text, registry, quotes) -> list[EndorsementSuggestion]:
    return []
