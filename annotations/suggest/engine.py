"""Rule-based attribution: who said what, with exact code-point offsets.

Per sentence: find a speech cue outside quotation marks, the speaker next to it
(before it, or after an inverted "said X"), and the content it introduces or
closes. Quotes that continue over sentences and paragraphs join their opening
attribution; posts signed "— Name (@handle) date" are attributed to Name.
"""

import re

from annotations.suggest import endorsements
from annotations.suggest.lexicon import ADDRESSEES_LOWER, CONTENT_NEEDS_THAT, SPEECH_VERBS
from annotations.suggest.segment import (
    CLOSE_MARKS,
    OPEN_MARKS,
    Span,
    paragraphs,
    quote_spans,
    sentences,
    words,
)
from annotations.suggest.speakers import Mention, Registry, mention_after, mention_before
from annotations.suggest.types import QuoteSuggestion, Suggestions

ENGINE_VERSION = "rules-2"

SIGNED_POST = re.compile(
    r"\s[—–-]{1,2}\s*(?P<name>[A-Z][^()\n]{1,60}?)\s*\((?P<handle>@\w+)\)\s*[A-Z][a-z]+\.? \d{1,2}, \d{4}\s*$"
)
MARKS = OPEN_MARKS + CLOSE_MARKS + "\"'‘’`"


def _inside(pos: int, quotes: list[Span]) -> bool:
    return any(q.start < pos < q.end for q in quotes)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop outer spaces, a trailing full stop or comma outside quotes, and dangling commas."""
    while start < end and (text[start].isspace() or text[start] in ",;:—–-"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:—–-"):
        end -= 1
    if end > start and text[end - 1] in ".!?" and text[start] not in MARKS:
        end -= 1
    return start, end


def _kind(text: str, start: int, end: int, quotes: list[Span]) -> str:
    quoted = sum(max(0, min(q.end, end) - max(q.start, start)) for q in quotes)
    if quoted >= (end - start) * 0.9:
        return "direct"
    return "mixed" if quoted else "indirect"


def _content_after(text: str, cue_end: int, sent: Span) -> int:
    """Where the content starts after a cue: past an addressee or a short adverbial, at 'that'."""
    toks = words(text, Span(cue_end, min(sent.end, cue_end + 80)))
    for i, (s, e, w) in enumerate(toks[:9]):
        if w.lower() == "that":
            gap = text[cue_end:s]
            if "," not in gap and '"' not in gap and "“" not in gap:
                return s
            break
    pos = cue_end
    while pos < sent.end and text[pos] == " ":
        pos += 1
    if pos < sent.end and text[pos] in ":,":
        return pos + 1
    # "told CBS that", "told reporters": skip the addressee.
    if toks and (toks[0][2][:1].isupper() or toks[0][2].lower() in ADDRESSEES_LOWER):
        j = 0
        while j < len(toks) and j < 5 and (toks[j][2][:1].isupper() or toks[j][2].lower() in ADDRESSEES_LOWER):
            j += 1
        if j < len(toks) and text[toks[j - 1][1] : toks[j][0]].strip() in ("", ","):
            return toks[j][0]
    return pos


class _Article:
    def __init__(self, text: str):
        self.text = text
        self.registry = Registry()
        self.quotes: list[QuoteSuggestion] = []

    def add(self, start, end, mention: Mention | None, cue: tuple[int, int] | None, confidence, quotes):
        start, end = _trim(self.text, start, end)
        if end - start < 8 or len(self.text[start:end].split()) < 2:
            return None
        speaker = self.registry.resolve(mention) if mention else None
        suggestion = QuoteSuggestion(
            start=start, end=end, text=self.text[start:end], kind=_kind(self.text, start, end, quotes),
            confidence=round(confidence, 2), speaker=speaker,
            speaker_start=mention.start if mention else None, speaker_end=mention.end if mention else None,
            cue=self.text[cue[0] : cue[1]] if cue else "", cue_start=cue[0] if cue else None,
            cue_end=cue[1] if cue else None,
        )
        self.quotes.append(suggestion)
        return suggestion

    def sentence(self, sent: Span, quotes: list[Span]):
        text = self.text
        toks = words(text, sent)
        for i, (s, e, w) in enumerate(toks):
            lower = w.lower()
            if _inside(s, quotes):
                continue
            if lower == "according" and i + 1 < len(toks) and toks[i + 1][2].lower() == "to":
                return self._according(sent, toks, i, quotes)
            if lower not in SPEECH_VERBS:
                continue
            found = self._cue(sent, s, e, quotes)
            if found:
                return found
        return None

    def _according(self, sent, toks, i, quotes):
        text = self.text
        cue = (toks[i][0], toks[i + 1][1])
        comma = text.find(",", cue[1], sent.end)
        ceiling = comma if comma != -1 else sent.end
        mention = mention_after(text, cue[1], ceiling)
        if mention is None:
            return None
        if text[sent.start : cue[0]].strip(" ,"):
            return self.add(sent.start, cue[0], mention, cue, 0.75, quotes)
        if comma != -1:
            return self.add(comma + 1, sent.end, mention, cue, 0.75, quotes)
        return None

    def _cue(self, sent: Span, cs: int, ce: int, quotes: list[Span]):
        text = self.text
        verb = text[cs:ce].lower()
        before = text[sent.start : cs]
        # Inverted: '"...," said X.' or ', said X, the ...'
        stripped = before.rstrip()
        if stripped and stripped[-1] in ",”\"'" + CLOSE_MARKS:
            mention = mention_after(text, ce, sent.end)
            if mention and stripped[:-1].strip():
                content_end = sent.start + len(stripped) - (1 if stripped[-1] == "," else 0)
                after_np = text[mention.end : sent.end].strip(" .")
                if after_np.startswith(",") or not after_np:
                    return self.add(sent.start, content_end, mention, (cs, ce), 0.8, quotes)
        mention = mention_before(text, sent.start, cs)
        if mention is None:
            return None
        lead = text[sent.start : mention.start].rstrip()
        if lead.endswith(",") and text[sent.start : mention.start].strip(" ,"):
            # Postposed: 'CONTENT, X said.' or 'CONTENT, X said, CONTENT.'
            rest = text[ce : sent.end].strip()
            content_start = sent.start
            if rest.startswith(",") and len(rest) > 20:
                return self.add(content_start, sent.end, mention, (cs, ce), 0.75, quotes)
            return self.add(content_start, sent.start + len(lead) - 1, mention, (cs, ce), 0.8, quotes)
        start = _content_after(text, ce, sent)
        if verb in CONTENT_NEEDS_THAT and text[start : start + 4].lower() != "that" and not (
            text[start : start + 1] in OPEN_MARKS + '"'
        ):
            return None
        if lead and not lead.endswith((",", ":", "—", "–", "(")) and len(lead.split()) > 6:
            # Deep inside a clause ("a policy that critics say ..."): weaker.
            confidence = 0.5
        else:
            confidence = 0.7
        return self.add(start, sent.end, mention, (cs, ce), confidence, quotes)

    def signed_post(self, para: Span):
        m = SIGNED_POST.search(self.text, para.start, para.end)
        if not m:
            return False
        name = m.group("name").strip()
        ns = self.text.index(name, m.start())
        mention = Mention(ns, ns + len(name), name)
        self.add(para.start, m.start(), mention, (m.start() + 1, m.start() + 2), 0.85, [])
        return True


def suggest(text: str) -> Suggestions:
    article = _Article(text)
    previous = None  # the last attributed quote, for continuing quotations
    for para in paragraphs(text):
        if article.signed_post(para):
            previous = None
            continue
        quotes = quote_spans(text, para)
        for sent in sentences(text, para, quotes):
            found = article.sentence(sent, quotes)
            starts_quoted = text[sent.start] in OPEN_MARKS + '"' or text[sent.start : sent.start + 2] == "''"
            if found:
                previous = found
            elif starts_quoted and previous is not None:
                previous = _continue(article, previous, sent, quotes)
            else:
                previous = None
    endorsement_list = endorsements.find(text, article.registry, article.quotes)
    return Suggestions(
        engine_version=ENGINE_VERSION,
        quotes=[_final(article.registry, q) for q in article.quotes],
        endorsements=endorsement_list,
    )


def _continue(article, previous, sent, quotes):
    """A quotation that goes on after its attribution: join it, or start a new quote by the
    same speaker when it opens a new paragraph."""
    text = article.text
    if "\n" not in text[previous.end : sent.start]:
        article.quotes.remove(previous)
        start, end = _trim(text, previous.start, sent.end)
        joined = QuoteSuggestion(**{**previous.__dict__, "end": end, "text": text[previous.start : end],
                                    "kind": _kind(text, previous.start, end, quotes)})
        article.quotes.append(joined)
        return joined
    mention = Mention(previous.speaker_start, previous.speaker_end, text[previous.speaker_start : previous.speaker_end]) \
        if previous.speaker_start is not None else None
    added = article.add(sent.start, sent.end, mention, None, 0.55, quotes)
    if added and mention:
        # The mention is the earlier one; the quote has no cue of its own.
        added = QuoteSuggestion(**{**added.__dict__, "speaker": previous.speaker})
        article.quotes[-1] = added
    return added or previous


def _final(registry, quote: QuoteSuggestion) -> QuoteSuggestion:
    return QuoteSuggestion(**{**quote.__dict__, "speaker": registry.final(quote.speaker)})
