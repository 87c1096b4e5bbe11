"""Speaker mentions next to a cue, and one canonical party per real-world speaker."""

import re
from dataclasses import dataclass, field

from annotations.suggest.lexicon import (
    BETWEEN,
    DAYS,
    DETERMINERS,
    INTRO_WORDS,
    MONTHS,
    ORG_WORDS,
    PARTY_NAMES,
    PERSON_PRONOUNS,
    PRONOUNS,
    SPEAKER_NOUNS,
    TITLES,
)
from annotations.suggest.types import Speaker

TOKEN = re.compile(r"[\w’'.\-@]+|[,;:()“”\"—–]")
POSSESSIVE = re.compile(r"(’s|'s|’|')$")


@dataclass
class Mention:
    start: int
    end: int
    text: str
    description: str = ""  # an appositive: "Tim Murtaugh, the communications director, said"


def _is_cap(word: str) -> bool:
    return word[:1].isupper() or word[:1] == "@"


def _np_word(word: str) -> bool:
    lower = word.lower()
    return (_is_cap(word) or lower in DETERMINERS or lower in SPEAKER_NOUNS or lower in TITLES
            or lower in ORG_WORDS or bool(POSSESSIVE.search(word)) or lower in ("of", "and", "for"))


def _tokens(text: str, start: int, end: int):
    return [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text, start, end)]


def _valid(tokens) -> bool:
    words = [w for _, _, w in tokens]
    if not words or words[-1].lower() in ("of", "and", "for") or words[0].lower() in ("of", "and", "for"):
        return False
    if len(words) == 1 and words[0].lower() in DETERMINERS:
        return False
    head = words[-1].lower()
    return any(_is_cap(w) for w in words) or head in SPEAKER_NOUNS or head in PRONOUNS or head in ORG_WORDS


def mention_before(text: str, floor: int, cue_start: int) -> Mention | None:
    """The noun phrase ending just before a cue ("Taliban spokesperson Zabiullah Mujahid told")."""
    tokens = _tokens(text, floor, cue_start)
    # Words between a name and its cue ("has", "may"), unless capitalised after a capital: the
    # name's own ("Theresa May said").
    while tokens and tokens[-1][2].lower() in BETWEEN and not (
            _is_cap(tokens[-1][2]) and len(tokens) > 1 and _is_cap(tokens[-2][2])):
        tokens.pop()
    if not tokens:
        return None
    last = tokens[-1][2]
    if last.lower() in PRONOUNS:
        return Mention(tokens[-1][0], tokens[-1][1], last)
    if last == "," and len(tokens) >= 3:
        # An appositive: "Tim Murtaugh, the communications director of Trump campaign, said".
        inner = [i for i in range(len(tokens) - 1) if tokens[i][2] == ","]
        if inner:
            comma = tokens[inner[-1]][0]
            before = mention_before(text, floor, comma)
            if before and _is_cap(before.text.split()[-1]):
                appositive = text[comma + 1 : tokens[-1][0]].strip()
                return Mention(before.start, before.end, before.text, appositive[:200])
        return None
    taken = []
    for tok in reversed(tokens):
        if tok[2] in ",;:()“”\"—–" or not _np_word(tok[2]) or len(taken) >= 9:
            break
        taken.insert(0, tok)
    # A sentence-initial capital ("But", "After") is no name.
    while taken and taken[0][2] in {"But", "And", "After", "Before", "When", "While", "As", "If",
                                    "Although", "Despite", "In", "On", "At", "Meanwhile", "Still",
                                    "However", "Yet", "So", "Then", "Now", "Also", "Later",
                                    "Instead", "Indeed", "Last", "This", "That", "For", "Of"}:
        taken.pop(0)
    while taken and taken[0][2].lower() in ("of", "and", "for"):
        taken.pop(0)
    # A time before the phrase ("On Monday the mayor said") is no name. Months only before a
    # lower-case word: April, May and June are also names ("June Okafor said").
    while len(taken) > 1 and (taken[0][2].lower() in WEEKDAYS or (
            taken[0][2].lower() in MONTHS and not _is_cap(taken[1][2]))):
        taken.pop(0)
    if not _valid(taken):
        return None
    return Mention(taken[0][0], taken[-1][1], text[taken[0][0] : taken[-1][1]])


WEEKDAYS = DAYS | {"tonight"}


def mention_after(text: str, start: int, ceiling: int) -> Mention | None:
    """The noun phrase right after an inverted cue (", said Republican strategist Ryan Williams")."""
    tokens = _tokens(text, start, ceiling)
    taken = []
    for tok in tokens:
        if tok[2] in ",;:()“”\"—–" or not _np_word(tok[2].rstrip(".")) or len(taken) >= 9:
            break
        taken.append(tok)
    if taken and taken[-1][2].endswith(".") and taken[-1][1] == ceiling:
        s, e, w = taken[-1]
        taken[-1] = (s, e - 1, w[:-1])
    if len(taken) == 1 and taken[0][2].lower() in PRONOUNS:
        return Mention(taken[0][0], taken[0][1], taken[0][2])
    if not _valid(taken):
        return None
    return Mention(taken[0][0], taken[-1][1], text[taken[0][0] : taken[-1][1]])


PERSON_NOUNS = {"leader", "member", "spokesperson", "spokesman", "spokeswoman", "official", "aide",
                "adviser", "advisor", "source", "director", "strategist", "candidate", "nominee",
                "senator", "governor", "minister", "chairman", "chairwoman", "officer", "lawyer",
                "attorney", "person", "man", "woman", "analyst", "expert", "critic", "supporter"}
MIDDLE_INITIAL = re.compile(r"\s[A-Z]\.(?=\s)")


def looks_like_speaker(words_: list[str]) -> bool:
    head = words_[-1].strip(".,()").lower()
    return (words_[-1][:1].isupper() or head in SPEAKER_NOUNS or head in ORG_WORDS or head in PRONOUNS
            or words_[-1].endswith(")"))


def mention_segment(text: str, floor: int, cue_start: int) -> Mention | None:
    """The whole phrase between the clause start and the cue, when short: 'Experts on North
    Korea and nuclear nonproliferation said', 'the former secretary of state ... said'."""
    window = text[floor:cue_start]
    cut = max(window.rfind(","), window.rfind(";"), window.rfind(":"))
    segment = window[cut + 1 :]
    words_ = segment.split()
    while words_ and words_[-1].lower() in BETWEEN:
        words_.pop()
    if not words_ or len(words_) > 10 or any(c in segment for c in "“”\"") or not looks_like_speaker(words_):
        return None
    if words_[0].lower().strip(",") in INTRO_WORDS or words_[0][:1].islower() and words_[0].lower() not in (
        "the", "a", "an", "some", "many", "most", "several", "critics", "experts", "officials", "analysts"
    ):
        return None
    start = floor + cut + 1 + segment.index(words_[0])
    end = text.index(words_[-1], start) + len(words_[-1])
    return Mention(start, end, text[start:end])


def split_name(mention: str) -> tuple[str, str, str]:
    """(name, description, kind) from a mention: titles become the description."""
    words = mention.replace("’s", "").replace("'s", "").split()
    while words and words[0].lower() in DETERMINERS and not _is_cap(words[0]) or (
        words and words[0] in ("The", "A", "An")
    ):
        words = words[1:]
    if not words:
        return mention, "", "other"
    lower = [w.lower().strip(".,") for w in words]
    # "Elena Okafor of the Civic Union", "Sen. Ted Cruz of Texas": a person (two or three
    # capitalised words after any titles) of a place or an organisation, which describes them.
    if "of" in lower[2:]:
        at = lower.index("of", 2)
        titles = 0
        while titles < at and lower[titles] in TITLES:
            titles += 1
        person = list(zip(words[titles:at], lower[titles:at]))
        if 2 <= len(person) <= 3 and all(_is_cap(w) and low not in ORG_WORDS and low not in TITLES
                                         for w, low in person):
            name = MIDDLE_INITIAL.sub("", " ".join(w for w, _ in person))
            return name, " ".join(words[:titles] + words[at:]), "person"
    if any(w in ORG_WORDS for w in lower) and not (
        len(words) >= 2 and _is_cap(words[-1]) and _is_cap(words[-2]) and lower[-1] not in ORG_WORDS
    ):
        return " ".join(words), "", "organisation"
    # The last run of capitalised words that are not titles is the name.
    end = len(words)
    while end > 0 and not (_is_cap(words[end - 1]) and lower[end - 1] not in TITLES):
        end -= 1
    start = end
    while start > 0 and _is_cap(words[start - 1]) and lower[start - 1] not in TITLES:
        start -= 1
    if start == end:
        return " ".join(words), "", "other"
    # "the Duchess of Sussex said": the one who speaks is the duchess, not Sussex.
    while start >= 2 and lower[start - 1] == "of" and _is_cap(words[start - 2]):
        start -= 2
        while start > 0 and _is_cap(words[start - 1]) and lower[start - 1] not in TITLES:
            start -= 1
    # "Donald J. Trump" is "Donald Trump"; the form with the initial stays an alias.
    return MIDDLE_INITIAL.sub("", " ".join(words[start:end])), " ".join(words[:start]), "person"


def _generic(text: str) -> bool:
    """A nameless speaker: "a source", "His aides", "A senior Taliban member"."""
    words = text.split(" of ")[0].split()
    if not words:
        return False
    head = words[-1].lower()
    named = [w for w in words if _is_cap(w) and w.lower() not in DETERMINERS]
    if named and head in ORG_WORDS:
        return False  # "Trump's campaign" is a named organisation
    if not named and words[-1][:1].islower() and head not in ORG_WORDS:
        return True  # "The mayor": its only capital opens the sentence ("The union" is an organisation)
    return head in SPEAKER_NOUNS and (not named or words[-1][:1].islower())


@dataclass
class Registry:
    """The parties of one article: later mentions ("Mujahid", "he", "the spokesperson") map
    to the first full one."""

    parties: list[dict] = field(default_factory=list)
    last_person: dict | None = None
    last_group: dict | None = None
    generic_mentions: list[tuple[int, str]] = field(default_factory=list)
    named_positions: list[int] = field(default_factory=list)
    mentions: list[tuple[int, dict]] = field(default_factory=list)

    def _generic_before(self, pos: int) -> Speaker | None:
        """'Another senior leader ... He told CBS': a nameless person just before a pronoun."""
        for end, text in reversed(self.generic_mentions):
            if end < pos:
                head = text.split(" of ")[0].split()[-1].lower()
                if pos - end < 250 and head in PERSON_NOUNS and not self._named_between(end, pos):
                    return Speaker(name=text, kind="other", generic=True)
                break
        return None

    def _named_between(self, start: int, end: int) -> bool:
        return any(start < p < end for p in self.named_positions)

    def _named_before(self, article_text: str, pos: int) -> dict | None:
        """The known person named closest before a pronoun ("support of Trump came after he")."""
        window = article_text[max(0, pos - 300) : pos]
        best, best_at = None, -1
        for party in self.parties:
            if party["kind"] != "person":
                continue
            for name in {party["name"], party["name"].split()[-1], *party["aliases"]}:
                at = window.rfind(name)
                if at > best_at:
                    best, best_at = party, at
        return best

    def resolve(self, mention: Mention, article_text: str = "") -> Speaker | None:
        text = mention.text.strip()
        lower = text.lower()
        if lower in PRONOUNS:
            if lower in PERSON_PRONOUNS or lower in ("i", "who"):
                recent = self._generic_before(mention.start)
                if recent is not None:
                    return recent
                party = self._named_before(article_text, mention.start) or self.last_person
            else:
                party = self.last_group or self.last_person
            return self._speaker(party) if party else None
        if _generic(text):
            self.generic_mentions.append((mention.end, text))
            words = lower.split()
            # "the spokesperson": the party described as one.
            if words[0] in ("the", "this") and len(words) <= 3:
                for party in reversed(self.parties):
                    if words[-1] in party["description"].lower():
                        return self._touch(party)
                if words[-1] in ("group", "organisation", "organization", "campaign") and self.last_group:
                    return self._touch(self.last_group)
            return Speaker(name=text, kind="other", generic=True)
        name, description, kind = split_name(text)
        if name.lower() in PARTY_NAMES:
            name, kind = PARTY_NAMES[name.lower()], "party"
        description = description or re.sub(r"^(?:the|a|an)\s+", "", mention.description)
        self.named_positions.append(mention.start)
        party = self._find(name)
        if party is None:
            party = {"name": name, "description": description, "kind": kind, "aliases": set()}
            self.parties.append(party)
        else:
            if description and not party["description"]:
                party["description"] = description
            if name != party["name"]:
                party["aliases"].add(name)
        if text != party["name"] and len(text) <= 120:
            party["aliases"].add(text)
        self.mentions.append((mention.start, party))
        return self._touch(party)

    def latest_before(self, pos: int, *, exclude: set[str], organisations: bool = True) -> Speaker | None:
        """The party named last before `pos` ("the extremist group", "their"), skipping `exclude`."""
        for at, party in sorted(self.mentions, key=lambda m: m[0], reverse=True):
            if at < pos and party["name"] not in exclude and (party["kind"] != "person") == organisations:
                return self._speaker(party)
        return None

    def _find(self, name: str) -> dict | None:
        key = name.lower()
        for party in self.parties:
            names = {party["name"].lower(), *(a.lower() for a in party["aliases"])}
            if key in names:
                return party
        parts = key.split()
        for party in reversed(self.parties):
            full = party["name"].lower().split()
            # A surname alone, or a full name first seen as a surname.
            if party["kind"] == "person" and (parts[-1] == full[-1] and (len(parts) == 1 or len(full) == 1)):
                if len(full) == 1 and len(parts) > 1:
                    party["aliases"].add(party["name"])
                    party["name"] = name
                return party
        return None

    def _touch(self, party: dict) -> Speaker:
        if party["kind"] == "person":
            self.last_person = party
        else:
            self.last_group = party
        return self._speaker(party)

    @staticmethod
    def _speaker(party: dict) -> Speaker:
        return Speaker(name=party["name"], kind=party["kind"], description=party["description"],
                       aliases=tuple(sorted(party["aliases"])))

    def final(self, speaker: Speaker | None) -> Speaker | None:
        """The speaker as the article finally knows it (full name, all aliases)."""
        if speaker is None or speaker.generic:
            return speaker
        party = self._find(speaker.name)
        return self._speaker(party) if party else speaker
