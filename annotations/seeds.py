"""The seed format: `date YYYY-MM-DD`, then the body, one article a file.

The date may share its line with the start of the body, as in the example
article given with the product, so the parser reads tokens, not lines.
"""

import datetime
import re
from dataclasses import dataclass

from annotations.text import normalise_body, title_from_body

_HEADER = re.compile(r"\A\s*date[ \t]+(?P<date>\S+)[ \t]*(?:\n|[ \t]|\Z)", re.IGNORECASE)


class SeedError(ValueError):
    """A seed file that cannot become an article; the message names file and reason."""


@dataclass(frozen=True)
class SeedArticle:
    title: str
    body: str
    published_on: datetime.date


def parse_seed(text: str, *, source: str) -> SeedArticle:
    text = text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")
    match = _HEADER.match(text)
    if not match:
        raise SeedError(f"{source}: line 1: expected 'date YYYY-MM-DD' at the start of the file")
    raw_date = match.group("date")
    try:
        published_on = datetime.date.fromisoformat(raw_date)
    except ValueError:
        raise SeedError(
            f"{source}: line 1: date {raw_date!r} is not a valid YYYY-MM-DD date"
        ) from None
    body = normalise_body(text[match.end() :])
    if not body:
        raise SeedError(f"{source}: the body is empty")
    return SeedArticle(title=title_from_body(body), body=body, published_on=published_on)
