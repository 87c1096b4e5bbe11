"""Text rules shared by every way an article gets in (form, API, seed, import)."""

import hashlib
import re
import unicodedata

TITLE_MAX = 120
# The longest body an article may have, however it gets in (import, API): longer texts are
# refused with the reason, not stored for the editor and the suggester to choke on.
MAX_BODY_CHARS = 1_000_000
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’]?\s+")


def normalise_body(text: str) -> str:
    """NFC, \\n line ends, no BOM, no outer whitespace: exactly what the browser shows."""
    text = text.replace("\ufeff", "")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text).strip()


def one_line(name: str) -> str:
    """A name as one line of single spaces: "Rosa  Diaz" and "Rosa\u00a0Diaz" are "Rosa Diaz"."""
    return " ".join(name.split())


def body_sha256(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def title_from_body(body: str) -> str:
    """The first sentence of the first line, cut at a word boundary to fit a title."""
    first_line = body.strip().split("\n", 1)[0].strip()
    sentence = _SENTENCE_END.split(first_line, maxsplit=1)[0].strip()
    if len(sentence) <= TITLE_MAX:
        return sentence
    cut = sentence[: TITLE_MAX - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(",;: ") + "…"


CONTEXT = 32  # characters of prefix/suffix kept with a span, as W3C TextQuoteSelector


def selector(body: str, start: int, end: int) -> dict:
    """The TextQuoteSelector parts of a span of the body: its words and their context."""
    return {"exact": body[start:end], "prefix": body[max(0, start - CONTEXT):start], "suffix": body[end:end + CONTEXT]}


def iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Intersection over union of two character spans."""
    overlap = min(a[1], b[1]) - max(a[0], b[0])
    if overlap <= 0:
        return 0.0
    return overlap / (max(a[1], b[1]) - min(a[0], b[0]))
