"""Endorsements: who supports or opposes whom, from verbs of support and opposition.

The endorser is the subject of the verb (or the speaker of the quotation it is
in); the target is its object: a party, a quoted slogan, or the party behind
"the support offered by X" / "their support". Rejecting someone's support
responds to that support.
"""

import re

from annotations.suggest.lexicon import (
    DAYS,
    MONTHS,
    NEGATIVE_WORDS,
    OPPOSE_VERBS,
    POSITIVE_PHRASES,
    POSITIVE_WORDS,
    SUPPORT_VERBS,
)
from annotations.suggest.speakers import (
    Mention,
    mention_after,
    mention_before,
    mention_segment,
)
from annotations.suggest.types import EndorsementSuggestion, Speaker

SLOGAN = re.compile(r"[‘'“\"]([A-Z][^’'”\"]{2,40})[’'”\"]\s+(?:slogan|agenda|policy|plan|platform|message)")
SUPPORT_NOUN = re.compile(
    r"^\s*(?:of\s+)?(?:the\s+|their\s+|its\s+|his\s+|her\s+)?(?P<owner>[\w’' ]+?’s\s+|[\w’' ]+?'s\s+)?"
    r"(?:support|endorsement|backing|remarks|praise|comments)\b(?:\s+(?:offered|given|expressed)\s+by\s+"
    r"(?P<by>[^,.;]+))?", re.IGNORECASE)
HOPE_WINS = re.compile(
    r"\bhopes?\b[’']?\s+(?:that\s+)?(?P<target>[A-Z][\w.’' ]+?|the [\w ]+?)\s+(?:is\s+re-?elected|wins|will win|"
    r"win|is elected|gets re-?elected|returns)\b")
MOVE = re.compile(r"^\s*(?:the|his|her|this|that)\s+(?:move|decision|announcement|tweet|plan|step|pledge)\b")
# "Obama is accusing", "Trump has been sharply criticizing": what stands between a subject and
# its verb, matched at the end of the text before the verb.
AUXILIARIES = re.compile(
    r"(?:\s+(?:is|are|was|were|been|being|has|have|had|will|would|also|again|sharply|strongly|harshly|"
    r"openly|publicly|repeatedly|quickly|swiftly|later|then|even|not|never|previously|once|already))+\s*$",
    re.IGNORECASE)
# "Obama was criticized by Republicans": the verb's subject is its target.
PASSIVE = re.compile(r"\b(?:is|are|was|were|been|being|be|get|got|gets)\s+(?:\w+ly\s+)?$", re.IGNORECASE)
BY = re.compile(r"^\s+by\s+")
# Where the object noun phrase ends: "Republicans for blocking", "Clinton over her emails".
OBJECT_END = re.compile(r"\s(?:for|over|on|in|at|after|because|as|about|during|with|to|from|since|amid|"
                        r"while|when|who|which|that)\s|\sof\s+(?=[a-z])|[,;:!?]")
# "called Cummings a “brutal bully”", "branding the plan a disaster": a verb of naming, then
# its object, then what the object is called.
CALLED = re.compile(r"\b(?:called|calling|calls|labeled|labelled|labeling|branded|branding|dubbed)\s+")
COMPLEMENT = re.compile(r"\s+(?:a|an|the|“|\")|\s*[“\"]")
# Object pronouns stand for the party their subject form would.
OBJECT_PRONOUNS = {"him": "he", "her": "she", "them": "they", "us": "we", "me": "i"}
NOT_PARTIES = DAYS | MONTHS


POLARITY_RE = re.compile(r"\b(?:%s)\b" % "|".join(sorted(SUPPORT_VERBS | OPPOSE_VERBS, key=len, reverse=True)))


def _polarity(word: str) -> str | None:
    lower = word.lower()
    if lower in SUPPORT_VERBS:
        return "supports"
    if lower in OPPOSE_VERBS:
        return "opposes"
    return None


def _lean(words: list[str]) -> str | None:
    """"supports" or "opposes" by which of the evaluative word lists has more of `words`."""
    lean = sum(w in POSITIVE_WORDS for w in words) - sum(w in NEGATIVE_WORDS for w in words)
    return None if lean == 0 else "supports" if lean > 0 else "opposes"


# Capitalised words that start a phrase without naming anyone ("Just 25 percent", "Polls show").
NOT_NAMES = {"Just", "Only", "Many", "Most", "Some", "Polls", "Poll", "Even", "Both", "All", "That", "This",
             "These", "Those", "The", "It", "Its"}


def _named(party: Speaker) -> bool:
    """A party an editor could look up: a name with a capitalised word that is not a phrase
    opener, or an organisation ("the union")."""
    words = party.name.split()
    if words[0] in NOT_NAMES or words[-1] in ("who", "which"):
        return False
    return party.kind not in ("person", "other") or any(w[:1].isupper() for w in words)


class _Finder:
    def __init__(self, text, paras, registry, quotes):
        self.text, self.registry, self.quotes = text, registry, quotes
        self.quoted_spans = [q for _, spans, _ in paras for q in spans]
        self.found: list[EndorsementSuggestion] = []

    def party(self, mention: Mention | None) -> Speaker | None:
        if mention is None or mention.text.lower() in ("who", "which"):
            return None
        return self.registry.resolve(mention, self.text)

    def org_of(self, speaker: Speaker | None) -> Speaker | None:
        """The organisation a person speaks for: "Taliban spokesperson" -> Taliban."""
        if speaker is None:
            return None
        if speaker.kind in ("organisation", "group", "party"):
            return speaker
        for party in self.registry.parties:
            if party["kind"] != "person" and party["name"].lower() in speaker.description.lower():
                return self.registry._speaker(party)
        return None

    def other_group(self, exclude: Speaker | None, pos: int) -> Speaker | None:
        """'the extremist group', 'their': the organisation named last before `pos`, other than
        the endorser's own."""
        own = {s.name for s in (exclude, self.org_of(exclude)) if s is not None}
        return self.registry.latest_before(pos, exclude=own)

    def endorser_at(self, pos: int, floor: int) -> Speaker | None:
        aux = AUXILIARIES.search(self.text, floor, pos)
        if aux is not None and aux.start() > floor:
            pos = aux.start()
        quoted_by = next((q.speaker for q in self.quotes if q.start <= pos < q.end and q.speaker), None)
        if quoted_by is not None and self._quoted(pos):
            return quoted_by
        mention = mention_before(self.text, floor, pos)
        words_ = mention.text.lower().split() if mention else []
        if quoted_by is not None and words_ and (words_[-1] in ("it", "they", "we") or (
                words_[0] in ("the", "that") and words_[-1] in ("group", "organisation", "organization"))):
            # "Mujahid added that the group approved ...", "they hope ...": the speaker's side.
            return self.org_of(quoted_by) or quoted_by
        if mention is None or not mention.text[:1].isupper() and len(words_) == 1 and words_[0] not in ("he", "she"):
            mention = mention_segment(self.text, floor, pos) or mention
        return self.party(mention)

    def _quoted(self, pos):
        return any(s.start < pos < s.end for s in self.quoted_spans)

    def target_after(self, start: int, end: int, endorser: Speaker | None):
        """(target party, target text, what it answers) for the object after a verb."""
        rest = self.text[start:end]
        slogan = SLOGAN.search(rest[:80])
        if slogan:
            return None, slogan.group(1), None
        noun = SUPPORT_NOUN.match(rest)
        if noun:
            by = (noun.group("by") or noun.group("owner") or "").strip()
            phrase = by.removesuffix("’s").removesuffix("'s").strip()
            # A named party ("offered by the Taliban"); else "the group", "their": whoever was
            # named last before, other than the endorser's side.
            owner = self.party(Mention(start, start + len(phrase), phrase)) if phrase[:1].isupper() or (
                phrase and not phrase.lower().startswith(("the ", "this ", "that ", "their", "its"))) else None
            if owner is None or owner.generic or (endorser and owner.name == endorser.name):
                owner = self.other_group(endorser, start)
            return owner, "", owner
        if MOVE.match(rest):
            party = self.registry._named_before(self.text, start)
            return (self.registry._speaker(party) if party else None), "", None
        return self.party(self.object_at(start, end)), "", None

    def object_at(self, start: int, end: int) -> Mention | None:
        """The noun phrase after a verb, up to the preposition or clause that follows it."""
        rest = self.text[start:end]
        start += len(rest) - len(rest.lstrip()) + (3 if rest.lstrip().startswith("of ") else 0)
        stop = OBJECT_END.search(self.text, start, end)
        word = re.match(r"\w+", self.text[start:end])
        if word and word.group().lower() in OBJECT_PRONOUNS:
            return Mention(start, word.end() + start, OBJECT_PRONOUNS[word.group().lower()])
        mention = mention_after(self.text, start, stop.start() if stop else end)
        if mention is not None and mention.text.split()[0].lower() in NOT_PARTIES:
            return None
        return mention

    def passive(self, verb_start: int, verb_end: int, sent) -> tuple[Speaker, Speaker] | None:
        """(endorser, target) of "X was criticized by Y"; None for an active verb."""
        be = PASSIVE.search(self.text, sent.start, verb_start)
        by = BY.match(self.text[verb_end:sent.end])
        if be is None or by is None:
            return None
        endorser = self.party(self.object_at(verb_end + by.end(), sent.end))
        target = self.endorser_at(be.start(), sent.start)
        return (endorser, target) if endorser is not None and target is not None else None

    def add(self, endorser, polarity, target, target_text, start, end, confidence, answers=None):
        if target is not None and (target.generic or not _named(target)):
            target, target_text = None, target.name
        if endorser is None or endorser.generic or not _named(endorser) or (target is None and not target_text):
            return
        if target is not None and target.name == endorser.name:
            return
        responds_to = None
        if answers is not None and polarity == "opposes":
            # Rejecting X's support answers X's support for this side, else X's latest support.
            side = {w for s in (endorser, self.org_of(endorser)) if s for w in s.name.split()}
            candidates = [i for i, e in enumerate(self.found)
                          if e.polarity == "supports" and e.endorser.name == answers.name]
            related = [i for i in candidates if self.found[i].target and side & set(self.found[i].target.name.split())]
            if related or candidates:
                responds_to = (related or candidates)[-1]
        key = (endorser.name, polarity, target.name if target else target_text)
        if any((e.endorser.name, e.polarity, e.target.name if e.target else e.target_text) == key for e in self.found):
            return
        self.found.append(EndorsementSuggestion(
            endorser=endorser, polarity=polarity, start=start, end=end, text=self.text[start:end],
            confidence=confidence, target=target, target_text=target_text, responds_to=responds_to))

    def quote_stance(self, quote):
        """A quote that names another party of the article and leans one way: its speaker
        supports or opposes that party ("X has failed us," Y said)."""
        speaker = quote.speaker
        if speaker is None or speaker.generic:
            return
        polarity = _lean(re.findall(r"[a-z]+", quote.text.lower()))
        if polarity is None:
            return
        own = {s.name for s in (speaker, self.org_of(speaker)) if s is not None}
        for party in self.registry.parties:
            if party["name"] in own:
                continue
            names = {party["name"], *party["aliases"]}
            if party["kind"] == "person":
                names.add(party["name"].split()[-1])
            if any(n in quote.text and re.search(rf"\b{re.escape(n)}\b", quote.text) for n in names if len(n) > 2):
                self.add(speaker, polarity, self.registry._speaker(party), "", quote.start, quote.end, 0.4)

    def naming(self, m, sent):
        """"X called Y a “bully”": X opposes Y when what Y is called leans negative (supports
        when it leans positive)."""
        split = COMPLEMENT.search(self.text, m.end(), sent.end)
        if split is None:
            return
        polarity = _lean(re.findall(r"[a-z]+", self.text[split.end() : split.end() + 60].lower())[:6])
        if polarity is None:
            return
        endorser = self.endorser_at(m.start(), sent.start)
        target = self.party(self.object_at(m.end(), split.start()))
        self.add(endorser, polarity, target, "", sent.start, sent.end, 0.5)

    def sentence(self, sent, quotes):
        text = self.text
        for m in HOPE_WINS.finditer(text, sent.start, sent.end):
            endorser = self.endorser_at(m.start(), sent.start)
            target = self.party(Mention(m.start("target"), m.end("target"), m.group("target")))
            self.add(endorser, "supports", target, "", sent.start, sent.end, 0.7)
        for m in POLARITY_RE.finditer(text, sent.start, sent.end):
            s, e = m.span()
            polarity = _polarity(m.group())
            swapped = self.passive(s, e, sent)
            if swapped is not None:
                self.add(swapped[0], polarity, swapped[1], "", sent.start, sent.end, 0.6)
                continue
            endorser = self.endorser_at(s - (1 if text[s - 1 : s] in "‘'" else 0), sent.start)
            target, target_text, answers = self.target_after(e + (1 if text[e : e + 1] in "’'" else 0), sent.end, endorser)
            self.add(endorser, polarity, target, target_text, sent.start, sent.end, 0.6, answers)
        for m in CALLED.finditer(text, sent.start, sent.end):
            self.naming(m, sent)
        lower = text[sent.start : sent.end].lower()
        for phrase in POSITIVE_PHRASES:
            at = lower.find(phrase)
            if at != -1:
                verb = re.search(r"\b(?:described|called|hailed)\s+", text[sent.start : sent.start + at])
                if verb:
                    vs = sent.start + verb.start()
                    endorser = self.endorser_at(vs, sent.start)
                    target, target_text, _ = self.target_after(sent.start + verb.end(), sent.end, endorser)
                    self.add(endorser, "supports", target, target_text, sent.start, sent.end, 0.55)


def find(text: str, paras, registry, quotes) -> list[EndorsementSuggestion]:
    finder = _Finder(text, paras, registry, quotes)
    for _, spans, sents in paras:
        for sent in sents:
            finder.sentence(sent, spans)
    for quote in quotes:
        finder.quote_stance(quote)
    return [EndorsementSuggestion(**{**e.__dict__, "endorser": registry.final(e.endorser),
                                     "target": registry.final(e.target)}) for e in finder.found]
