"""Paragraphs, sentences and quotation marks, as code-point spans into the original text."""

import re
from dataclasses import dataclass

from annotations.suggest.lexicon import ABBREVIATIONS

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


def quote_spans(text: str, para: Span) -> list[Span]:
    """Double-quoted stretches inside a paragraph, marks included. An unclosed quote
    runs to the paragraph's end (the next paragraph reopens it, as newspapers do)."""
    spans, open_at = [], None
    i = para.start
    while i < para.end:
        ch = text[i]
        two = text[i : i + 2]
        if two in ("''", "``") and (two == "``" or open_at is not None or _opens(text, i, para)):
            if open_at is None and (two == "``" or _opens(text, i, para)):
                open_at = i
            elif open_at is not None:
                spans.append(Span(open_at, i + 2))
                open_at = None
            i += 2
            continue
        if ch in OPEN_MARKS and open_at is None:
            open_at = i
        elif ch in CLOSE_MARKS and open_at is not None:
            spans.append(Span(open_at, i + 1))
            open_at = None
        elif ch == '"':
            if open_at is None and _opens(text, i, para):
                open_at = i
            elif open_at is not None:
                spans.append(Span(open_at, i + 1))
                open_at = None
        i += 1
    if open_at is not None and para.end - open_at > 1:
        spans.append(Span(open_at, para.end))
    return spans


def _opens(text: str, i: int, para: Span) -> bool:
    before = text[i - 1] if i > para.start else " "
    after = text[i + 1] if i + 1 < len(text) else " "
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


def words(text: str, span: Span) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in WORD.finditer(text, span.start, span.end)]
