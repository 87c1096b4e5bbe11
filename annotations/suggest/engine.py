"""Rule-based attribution: who said what, with exact code-point offsets.

Per sentence: find a speech cue outside quotation marks, the speaker next to it
(before it, or after an inverted "said X"), and the content it introduces or
closes. Quotes that continue over sentences and paragraphs join their opening
attribution; posts signed "— Name (@handle) date" are attributed to Name.
"""

import re

from annotations.suggest import endorsements
from annotations.suggest.lexicon import (
    ADDRESSEES_LOWER,
    BETWEEN,
    CONTENT_NEEDS_THAT,
    INTRO_WORDS,
    OBJECT_VERBS,
    PARTICLES,
    PRONOUNS,
    SPEECH_VERBS,
)
from annotations.suggest.segment import (
    CLOSE_MARKS,
    OPEN_MARKS,
    Span,
    layout,
    words,
)
from annotations.suggest.speakers import (
    Mention,
    Registry,
    looks_like_speaker,
    mention_after,
    mention_before,
    mention_segment,
)
from annotations.suggest.types import QuoteSuggestion, Suggestions

ENGINE_VERSION = "rules-4"

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
    if end > start and text[end - 1] == "." and text[start] not in MARKS:
        end -= 1
    return start, end


def _kind(text: str, start: int, end: int, quotes: list[Span]) -> str:
    quoted = sum(max(0, min(q.end, end) - max(q.start, start)) for q in quotes)
    if quoted >= (end - start) * 0.9:
        return "direct"
    return "mixed" if quoted else "indirect"


# Polls, reports and documents "show" and "find" without a "that": "A poll shows Clinton ahead".
DOCUMENT_NOUNS = {"poll", "polls", "survey", "surveys", "report", "reports", "study", "studies", "data",
                  "analysis", "figures", "numbers", "results", "statement", "memo", "documents", "records",
                  "estimates", "research", "review", "audit", "investigation", "filing", "filings"}
SAY_VERBS = {"said", "says", "say", "told", "tells", "added", "wrote", "writes", "argued", "argues", "claimed",
             "claims", "insisted", "insists", "noted", "notes", "warned", "warns", "stated", "explained"}
ADDRESSED_VERBS = {"tell", "tells", "told", "telling", "ask", "asks", "asked", "urge", "urged", "urges",
                   "warn", "warned", "warns", "assure", "assured", "remind", "reminded"}


def _content_after(text: str, cue_end: int, sent: Span, addressee: bool = True) -> int:
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
    if addressee and toks and (toks[0][2][:1].isupper() or toks[0][2].lower() in ADDRESSEES_LOWER):
        j = 0
        while j < len(toks) and j < 5 and (toks[j][2][:1].isupper() or toks[j][2].lower() in ADDRESSEES_LOWER):
            j += 1
        if j < len(toks) and text[toks[j - 1][1] : toks[j][0]].strip() in ("", ","):
            return toks[j][0]
    return pos




def _closes_clause(before: str) -> bool:
    """Text before a cue or speaker that ends a clause: ',' or ',”' or '?"'."""
    if not before.strip(" ,"):
        return False
    if before.endswith(","):
        return True
    return before[-1:] in CLOSE_MARKS + "\"'’" and before[-2:-1] in ",?!"


def _clause_end(lead: str, base: int) -> int:
    """Content end for a postposed cue: drop a trailing comma, keep closing marks."""
    end = base + len(lead)
    return end - 1 if lead.endswith(",") else end


def _postposed_segment(text: str, floor: int, cue_start: int):
    """(start of 'X' in '..., X said', text before it) when X is a short phrase after a clause."""
    window = text[floor:cue_start]
    cut = max(window.rfind(","), window.rfind("”"), window.rfind('"'))
    if cut <= 0:
        return None
    lead = window[: cut + 1].rstrip()
    between = window[cut + 1 :].strip()
    if not _closes_clause(lead) or not between or len(between.split()) > 8 or any(c in between for c in "“”\""):
        return None
    return floor + cut + 1 + (len(window[cut + 1 :]) - len(window[cut + 1 :].lstrip())), lead


PASSIVE = re.compile(r"\b(?:is|are|was|were|be|been|being)\s+(?:\w+ly\s+|not\s+)?$", re.IGNORECASE)


def _passive(text: str, floor: int, cue_start: int) -> bool:
    return bool(PASSIVE.search(text[max(floor, cue_start - 30) : cue_start]))


def _plain_mention(text: str, start: int, end: int) -> Mention | None:
    words_ = text[start:end].split()
    while words_ and words_[-1].lower() in BETWEEN:
        words_.pop()
    if not words_ or not looks_like_speaker(words_) or words_[0].lower().strip(",") in INTRO_WORDS:
        return None
    phrase = " ".join(words_)
    s = text.index(words_[0], start)
    e = text.index(words_[-1], s) + len(words_[-1])
    return Mention(s, e, text[s:e]) if phrase else None


def _past_intro(text: str, start: int) -> int:
    """'Later, “it is done,” she said': the content is the quotation, not the 'Later,'."""
    m = re.match(r"\s*(\w+)[^,“\"]{0,40},\s*(?=[“\"])", text[start : start + 60])
    return start + m.end() if m and m.group(1).lower() in INTRO_WORDS else start


def _introductory(lead: str, parenthetical: bool = False) -> bool:
    """'In a statement,' or 'However,': no clause to attribute before the speaker. A short lead
    still counts when the cue is a parenthesis: 'Climate change, Obama says, is ...'."""
    if any(c in lead for c in "“”\""):
        return False
    first = lead.split()[0].lower().strip(",;:") if lead.split() else ""
    if first in INTRO_WORDS and len(lead.split()) <= 8:
        return True
    return len(lead.split()) < 3 and not parenthetical


CLAUSE_BREAK = re.compile(
    r"\s*(?:;|\s[—–]\s|\s--\s|,\s+(?:and|but|while|which|who|whereas|although|though|as well as)\b"
    r"|,\s+\w+ing\b|\s+and\s+(?:\w+ed|says|said|told|urged|added)\b)")


def _clause_stop(text: str, start: int, end: int, quotes: list[Span]) -> int:
    """Where a reported clause ends: before '; ...', ', and he ...', ', which ...', ', saying'."""
    for m in CLAUSE_BREAK.finditer(text, start, end):
        if m.start() - start >= 15 and not _inside(m.start(), quotes):
            return m.start()
    return end


def _next_attribution(text: str, start: int, end: int, quotes: list[Span]) -> int:
    """Content stops before a second speaker's clause: '..., Trump's campaign said that ...'."""
    for s, e, w in words(text, Span(start, end)):
        if w in SPEECH_VERBS and not _inside(s, quotes) and s - start > 15:
            comma = text.rfind(",", start, s)
            if comma != -1 and len(text[comma:s].split()) <= 6 and not _passive(text, comma, s):
                return comma
    return end


def _addressee_only(rest: str) -> bool:
    return len(rest.split()) <= 3


class _Article:
    def __init__(self, text: str):
        self.text = text
        self.registry = Registry()
        self.quotes: list[QuoteSuggestion] = []

    def add(self, start, end, mention: Mention | None, cue: tuple[int, int] | None, confidence, quotes):
        start, end = _trim(self.text, start, end)
        if end - start < 8 or len(self.text[start:end].split()) < 2:
            return None
        speaker = self.registry.resolve(mention, self.text) if mention else None
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
        for m in CUE_RE.finditer(text, sent.start, sent.end):
            s, e = m.span()
            if _inside(s, quotes):
                continue
            if m.group(1):
                return self._according(sent, s, e, quotes)
            if _passive(text, sent.start, s):
                continue
            found = self._cue(sent, s, e, quotes)
            if found:
                return found
        return self._stance(sent, quotes)

    def _stance(self, sent, quotes):
        """'X has railed against Y', 'unions have endorsed Clinton': the object is the content."""
        text = self.text
        for m in STANCE_RE.finditer(text, sent.start, sent.end):
            s, e = m.span()
            if _inside(s, quotes) or _passive(text, sent.start, s):
                continue
            mention = mention_before(text, sent.start, s)
            if mention is None or mention.text.endswith(("’s", "'s")) or mention.text.lower() in ("who", "which"):
                continue
            lead = text[sent.start : mention.start].strip()
            if lead and not lead.endswith((",", ":")) and len(lead.split()) > 6:
                continue
            start = e
            nxt = words(text, Span(e, min(sent.end, e + 20)))
            if nxt and nxt[0][2].lower() in PARTICLES and nxt[0][2].lower() != "that":
                start = nxt[0][1]
            return self.add(start, _clause_stop(text, start, sent.end, quotes), mention, (s, e), 0.45, quotes)
        return None

    def _according(self, sent, cs, ce, quotes):
        """'According to X, ...' and '..., according to X.': X is the whole phrase."""
        text = self.text
        cue = (cs, ce)
        comma = text.find(",", cue[1], sent.end)
        ceiling = comma if comma != -1 else sent.end
        phrase = text[cue[1] : ceiling].strip().rstrip(".")
        if not phrase or len(phrase.split()) > 15:
            return None
        ms = text.index(phrase, cue[1])
        mention = Mention(ms, ms + len(phrase), phrase)
        if text[sent.start : cue[0]].strip(" ,"):
            return self.add(sent.start, cue[0], mention, cue, 0.75, quotes)
        if comma != -1:
            return self.add(comma + 1, _clause_stop(text, comma + 1, sent.end, quotes), mention, cue, 0.75, quotes)
        return None

    def _cue(self, sent: Span, cs: int, ce: int, quotes: list[Span]):
        text = self.text
        verb = text[cs:ce].lower()
        after = text[ce : sent.end].lstrip()
        if after.startswith(":"):
            # 'X said: "..."' or 'X said in a statement: ...'
            mention = mention_before(text, sent.start, cs)
            return self.add(text.index(":", ce) + 1, sent.end, mention, (cs, ce), 0.75, quotes) if mention else None
        if verb.endswith("ing"):
            return self._participle(sent, cs, ce, quotes)
        # Inverted: '"...," said X.' or '..., said X, the ...'
        before = text[sent.start : cs].rstrip()
        if _closes_clause(before):
            mention = mention_after(text, ce, sent.end)
            after_np = text[mention.end : sent.end].strip(" .") if mention else ""
            if mention and (not after_np or after_np.startswith(",")):
                return self.add(sent.start, _clause_end(before, sent.start), mention, (cs, ce), 0.8, quotes)
        if re.search(r"\band\s+(?:\w+ly\s+)?$", text[max(sent.start, cs - 20) : cs]):
            # 'Cruz exhorted Republicans ... and said he ...': the sentence's subject speaks.
            subject = mention_after(text, sent.start, cs)
            if subject is not None and subject.start == sent.start:
                start = _content_after(text, ce, sent, addressee=verb in ADDRESSED_VERBS)
                return self.add(start, _clause_stop(text, start, sent.end, quotes), subject, (cs, ce), 0.6, quotes)
        mention = mention_before(text, sent.start, cs)
        segment = _postposed_segment(text, sent.start, cs)
        parenthetical = text[ce : sent.end].lstrip().startswith(",")
        # "Although ..., experts say it ...": a clause after the cue is the content, not the lead.
        reported_after = not parenthetical and len(text[ce : sent.end].split()) > 5
        if segment is not None and not reported_after and not _introductory(
                text[sent.start : segment[0]], parenthetical):
            # Postposed: 'CONTENT, X said.' or 'CONTENT, X said, CONTENT.'
            seg_start, lead = segment
            if mention is None or mention.start < seg_start:
                mention = _plain_mention(text, seg_start, cs)
            if mention is None:
                return None
            rest = text[ce : sent.end].strip()
            if rest.startswith(",") and len(rest) > 20 and not _addressee_only(rest):
                return self.add(sent.start, sent.end, mention, (cs, ce), 0.75, quotes)
            return self.add(_past_intro(text, sent.start), _clause_end(lead, sent.start), mention, (cs, ce), 0.8, quotes)
        if mention is not None and mention.text.endswith(("’s", "'s")):
            return None  # a noun ("Trump's tweet"), not a cue
        wider = mention_segment(text, sent.start, cs)
        if wider is not None and (mention is None or (
                wider.start < mention.start and mention.text.lower() not in PRONOUNS)):
            mention = wider
        if mention is None and verb not in SAY_VERBS:
            return None
        start = _content_after(text, ce, sent, addressee=verb in ADDRESSED_VERBS)
        source = mention is not None and mention.text.split()[-1].lower() in DOCUMENT_NOUNS
        if verb in CONTENT_NEEDS_THAT and text[start : start + 4].lower() != "that" and not (
            text[start : start + 1] in OPEN_MARKS + '"'
        ) and not source:
            return None
        if mention is None:
            # "who said ...", "many of whom say ...": reported speech whose speaker we cannot name.
            end = _clause_stop(text, start, sent.end, quotes)
            return self.add(start, end, None, (cs, ce), 0.35, quotes)
        lead = text[sent.start : mention.start].rstrip()
        deep = lead and not lead.endswith((",", ":", "—", "–", "(")) and len(lead.split()) > 6
        end = min(_clause_stop(text, start, sent.end, quotes), _next_attribution(text, start, sent.end, quotes))
        return self.add(start, end, mention, (cs, ce), 0.5 if deep else 0.7, quotes)

    def _participle(self, sent, cs, ce, quotes):
        """'..., saying that ...': the sentence's subject speaks."""
        text = self.text
        if not text[sent.start : cs].rstrip().endswith(","):
            return None
        mention = mention_after(text, sent.start, cs)
        if mention is None:
            return None
        start = _content_after(self.text, ce, sent)
        return self.add(start, sent.end, mention, (cs, ce), 0.5, quotes)

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
    paras = layout(text)
    for para, quotes, sents in paras:
        if article.signed_post(para):
            previous = None
            continue
        for sent in sents:
            found = article.sentence(sent, quotes)
            # A second attribution later in the same sentence ("..., and Y said B").
            rest = found
            while rest is not None and sent.end - _after(rest) > 25:
                rest = article.sentence(Span(_after(rest), sent.end), quotes)
            starts_quoted = text[sent.start] in OPEN_MARKS + '"' or text[sent.start : sent.start + 2] == "''"
            if found:
                previous = found
            elif starts_quoted and previous is not None:
                previous = _continue(article, previous, sent, quotes)
            else:
                previous = None
    _signed_quotes(article)
    _uncovered_quotes(article, paras)
    article.quotes.sort(key=lambda q: (q.start, q.end))
    endorsement_list = endorsements.find(text, paras, article.registry, article.quotes)
    return Suggestions(
        engine_version=ENGINE_VERSION,
        quotes=[_final(article.registry, q) for q in article.quotes],
        endorsements=endorsement_list,
    )


def _alternation(verbs) -> str:
    return "|".join(sorted(verbs, key=len, reverse=True))


# Cues are found with one regex a sentence; lowercase only, so "States" is no verb.
CUE_RE = re.compile(rf"\b(?:([Aa]ccording to)|(?:{_alternation(SPEECH_VERBS)}))\b")
STANCE_RE = re.compile(rf"\b(?:{_alternation(OBJECT_VERBS)})\b")

DASH_SIGNED = re.compile(
    r"(?P<quote>[“\"][^”\"\n]{10,}[”\"])\s*[―—]\s*(?P<name>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})")


def _covered(article, start, end) -> bool:
    return any(q.start < end and start < q.end for q in article.quotes)


def _signed_quotes(article):
    """'“...” ― Martha Aguilar': a quotation signed with a dash and a name."""
    for m in DASH_SIGNED.finditer(article.text):
        start, end = m.span("quote")
        if not _covered(article, start, end):
            mention = Mention(m.start("name"), m.end("name"), m.group("name"))
            dash = article.text.index(m.group(0)[len(m.group("quote")):].strip()[0], end)
            article.add(start, end, mention, (dash, dash + 1), 0.7, [Span(start, end)])


def _uncovered_quotes(article, paras):
    """A quotation of three words or more that no rule attributed: speech by the nearest
    speaker before it (most often the one just quoted)."""
    text = article.text
    for _, spans, _ in paras:
        for q in spans:
            if len(text[q.start : q.end].split()) < 3 or _covered(article, q.start, q.end):
                continue
            earlier = [x for x in article.quotes if x.end <= q.start and x.speaker_start is not None]
            prev = max(earlier, key=lambda x: x.end) if earlier else None
            mention = None
            if prev is not None and q.start - prev.end < 600:
                mention = Mention(prev.speaker_start, prev.speaker_end, text[prev.speaker_start : prev.speaker_end])
            added = article.add(q.start, q.end, mention, None, 0.4, [q])
            if added and prev is not None and mention is not None:
                article.quotes[-1] = QuoteSuggestion(**{**added.__dict__, "speaker": prev.speaker})


def _after(quote: QuoteSuggestion) -> int:
    """Where the next attribution in the same sentence may start: past content and cue."""
    return max(quote.end, quote.cue_end or 0, quote.speaker_end or 0)


def _continue(article, previous, sent, quotes):
    """A quotation that goes on after its attribution: join it, or start a new quote by the
    same speaker when it opens a new paragraph."""
    text = article.text
    if "\n" not in text[previous.end : sent.start]:
        article.quotes.remove(previous)
        start, end = _trim(text, previous.start, sent.end)
        # '“A,” she said. “B.”' stays direct: only the attribution is outside the marks.
        kind = "direct" if previous.kind == "direct" else _kind(text, previous.start, end, quotes)
        joined = QuoteSuggestion(**{**previous.__dict__, "end": end, "text": text[previous.start : end],
                                    "kind": kind})
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
