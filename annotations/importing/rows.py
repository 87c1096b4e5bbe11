"""One row of an import: validated with the same rules as an article made by hand."""

import datetime
import re
from dataclasses import dataclass, field
from functools import lru_cache

from annotations.text import MAX_BODY_CHARS, body_sha256, normalise_body, title_from_body

FIELD_ALIASES = {
    "title": ["title", "headline", "name"],
    "body": ["body", "text", "content", "article", "story", "full_text"],
    "url": ["url", "link", "href", "permalink", "source_url"],
    "outlet": ["outlet", "source", "publisher", "publication", "site", "media_outlet"],
    "published_on": ["published_on", "date", "published", "published_at", "pub_date", "pubdate", "publish_date"],
    "language": ["language", "lang"],
}
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%d %B %Y", "%B %d, %Y", "%b %d, %Y"]
# "03/04/2024" is 4 March in the US and 3 April elsewhere: a slashed date is read only when one
# of its numbers is over 12 (so it can be read one way only), or both are the same.
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})\Z")
MAX_TITLE_CHARS = 500  # as Article.title


# http(s), a host, no spaces. One regex: Django's URLValidator (or urlsplit) costs more per
# row than the rest of the validation together.
_URL = re.compile(r"https?://[^\s/?#@:]+(?::\d{1,5})?(?:[/?#]\S*)?\Z", re.IGNORECASE)


def valid_url(url: str) -> bool:
    return _URL.match(url) is not None


class RowError(ValueError):
    """A row that cannot land; the message names the field and the reason."""


def json_type(value) -> str:
    """What a JSON value is, in the words of an error message."""
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false", int: "a number",
             float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


@dataclass
class Span:
    start: int
    end: int
    label: str
    text: str


@dataclass
class ArticleRow:
    file: str
    line: int
    title: str
    body: str
    url: str | None
    outlet: str
    published_on: datetime.date | None
    language: str
    sha: str
    spans: list[Span] = field(default_factory=list)


def default_mapping(columns: list[str]) -> dict[str, str]:
    """field -> column, from the columns a file has and the usual names for each field."""
    return dict(_mapping(tuple(columns)))


@lru_cache(maxsize=256)
def _mapping(columns: tuple) -> tuple:
    lower = {c.strip().lower(): c for c in columns if isinstance(c, str) and c}
    mapping = {}
    for name, aliases in FIELD_ALIASES.items():
        for alias in aliases:
            if alias in lower:
                mapping[name] = lower[alias]
                break
    return tuple(mapping.items())


def parse_date(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    iso = re.match(r"^(\d{4}-\d{2}-\d{2})(?:[T ].*)?$", text)
    if iso:
        text = iso.group(1)
    slashed = _SLASHED.match(text)
    if slashed:
        return _slashed_date(value, *map(int, slashed.groups()))
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise RowError(f"published_on: {str(value)[:40]!r} is not a date (use YYYY-MM-DD)")


def _slashed_date(value, first: int, second: int, year: int) -> datetime.date:
    if first <= 12 and second <= 12 and first != second:
        raise RowError(f"published_on: {str(value)[:40]!r} could be month/day or day/month (use YYYY-MM-DD)")
    month, day = (first, second) if second > 12 or first == second else (second, first)
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise RowError(f"published_on: {str(value)[:40]!r} is not a date (use YYYY-MM-DD)") from None


# PostgreSQL text cannot hold NUL, and a lone surrogate (a JSON "\ud800" escape) cannot be
# encoded to UTF-8: either would fail the whole batch's COPY, so the row is refused here.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def article_row(data: dict, *, file: str, line: int, mapping: dict, outlet: str = "", spans=()) -> ArticleRow:
    def get(name):
        column = mapping.get(name)
        value = data.get(column) if column else None
        text = "" if value is None else str(value)
        if _UNSTORABLE.search(text):
            raise RowError(f"{name}: contains a NUL character or a lone surrogate")
        return text

    column = mapping.get("body")
    if column and data.get(column) is not None and not isinstance(data[column], str):
        raise RowError(f"body: expected a string, got {json_type(data[column])}")  # a JSON number or list
    raw_body = get("body")
    if len(raw_body) > MAX_BODY_CHARS:
        raise RowError(f"body: {len(raw_body):,} characters, over the limit of {MAX_BODY_CHARS:,}")
    body = normalise_body(raw_body)
    if not body:
        raise RowError("body: missing or empty")
    url = get("url").strip() or None
    if url:
        if not valid_url(url):
            raise RowError(f"url: {url[:80]!r} is not an http(s) URL")
        if len(url) > 1000:
            raise RowError("url: longer than 1000 characters")
    title = " ".join(get("title").split())
    if len(title) > MAX_TITLE_CHARS:  # another column's text, most likely: said, not cut
        raise RowError(f"title: {len(title):,} characters, over the limit of {MAX_TITLE_CHARS}")
    title = title or title_from_body(body)
    return ArticleRow(
        file=file, line=line, title=title, body=body, url=url,
        outlet=(get("outlet").strip() or outlet)[:200], published_on=parse_date(get("published_on")),
        language=(get("language").strip() or "en")[:16], sha=body_sha256(body), spans=list(spans),
    )
