"""The suggestion engine: pure Python, no ORM, no network, no model files.

`suggest(text)` returns quotes, speakers and endorsements with code-point
offsets into `text` and a confidence; the Celery task stores them.
"""

from annotations.suggest.engine import ENGINE_VERSION, suggest
from annotations.suggest.types import (
    EndorsementSuggestion,
    QuoteSuggestion,
    Speaker,
    Suggestions,
)

__all__ = [
    "ENGINE_VERSION",
    "EndorsementSuggestion",
    "QuoteSuggestion",
    "Speaker",
    "Suggestions",
    "suggest",
]
