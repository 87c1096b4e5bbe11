"""Paragraphs, sentences and quotation marks, as code-point spans into the original text."""

import functools
import re
from dataclasses import dataclass

from annotations.suggest.lexicon import ABBREVIATIONS

try:
    from annotations.suggest import _segment  # built from _segment.c at install, when a C compiler was there
except ImportError:
    _segment = None

OPEN_MARKS = "“«„"
CLOSE_MARKS = "”»"
WORD = re.compile(r"[^\W_](?:[\w’'.\-]*[^\W_])?|[^\W_]")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def paragraphs(text: str) -> list[Span]:
    spans, pos = [], 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            offset = line.index(stripped[0])
            spans.append(Span(pos + offset, pos + offset + len(stripped)))
        pos += len(line) + 1
    return spans


MARK = re.compile(r"''|``|[“”«»„\"]")


def quote_spans(text: str, para: Span) -> list[Span]:
    """Double-quoted stretches inside a paragraph, marks included. An unclosed quote
    runs to the paragraph's end (the next paragraph reopens it, as newspapers do)."""
    spans, open_at = [], None
    for m in MARK.finditer(text, para.start, para.end):
        i, mark = m.start(), m.group()
        if mark in OPEN_MARKS or mark == "``":
            if open_at is None:
                open_at = i
        elif mark in CLOSE_MARKS:
            if open_at is not None:
                spans.append(Span(open_at, m.end()))
                open_at = None
        elif open_at is None:  # '"' or "''": opens only before a word
            if _opens(text, i, para):
                open_at = i
        else:
            spans.append(Span(open_at, m.end()))
            open_at = None
    if open_at is not None and para.end - open_at > 1:
        spans.append(Span(open_at, para.end))
    return spans


# The rules, the quote tagger and the endorsement classifier each read the same article's
# layout, one after the other: the last one is kept (read-only: tuples of frozen spans).
@functools.lru_cache(maxsize=1)
def layout(text: str) -> tuple[tuple[Span, tuple[Span, ...], tuple[Span, ...]], ...]:
    """Each paragraph with its quotations and sentences, computed once per article."""
    result = []
    for para in paragraphs(text):
        quotes = tuple(quote_spans(text, para))
        result.append((para, quotes, tuple(sentences(text, para, quotes))))
    return tuple(result)


def _opens(text: str, i: int, para: Span) -> bool:
    before = text[i - 1] if i > para.start else " "
    width = 2 if text[i : i + 2] == "''" else 1
    after = text[i + width] if i + width < len(text) else " "
    return (before.isspace() or before in "([{—–-:/" or i == para.start) and not after.isspace()


def sentences(text: str, para: Span, quotes: list[Span]) -> list[Span]:
    """Sentence spans in a paragraph; never split inside a quotation."""
    inside = set()
    for q in quotes:
        inside.update(range(q.start + 1, q.end - 1))
    result, start = [], para.start
    for m in re.finditer(r"[.!?…]+[”\"’']*(?=\s+[\"“‘'(\[]{0,2}[A-Z0-9])", text[para.start : para.end]):
        end = para.start + m.end()
        mark = para.start + m.start()
        if mark in inside:
            continue
        word = text[max(para.start, mark - 12) : mark].split()
        last = word[-1].lower().rstrip(".") if word else ""
        if last in ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
            continue
        result.append(Span(start, end))
        start = end
        while start < para.end and text[start].isspace():
            start += 1
    if start < para.end:
        result.append(Span(start, para.end))
    return result


# Words, quotation marks ('' and `` as one) and other marks: what the quote tagger and the
# endorsement classifier read, made once per article (tokens never cross a paragraph's end).
TOKEN = re.compile(r"[^\W_](?:[\w’'.\-]*[^\W_])?|''|``|[^\w\s]")


@functools.lru_cache(maxsize=1)
def tokens(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, word) of each token: by the C part when it was built (the same tokens, faster)."""
    return _segment.tokens(text) if _segment is not None else pattern_tokens(text)


def pattern_tokens(text: str) -> tuple[tuple[int, int, str], ...]:
    return tuple([(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text)])  # a list first: faster


def words(text: str, span: Span) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in WORD.finditer(text, span.start, span.end)]
