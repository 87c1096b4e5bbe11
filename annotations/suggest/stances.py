"""Learned endorsements: who supports or opposes whom in an article, as a classifier over
pairs of the parties it names.

Each article's parties are found and merged (a surname with its full name, "GOP" with the
Republican Party, "he" with the person named last); every ordered pair of its most-named parties,
and each of them with each of its most frequent lower-case words (a topic), is one candidate when
the article joins the two at all, described by what it says of them (sentences naming both, the
words of a short phrase joining them, who speaks, the rules' quotes and endorsements, how
prominent each is), and classified none / supports / opposes by a maximum-entropy model
(crfsuite on one-item sequences, so no further dependency); each polarity of a pair is a
suggestion of its own, its evidence the sentence whose words weigh most for it. Calibration and
the confidence floor are fitted where the model is trained (`learned._train_stances`). No ORM here.
"""

import bisect
import functools
import math
import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate, product, repeat
from operator import itemgetter

import pycrfsuite

from annotations.suggest import engine
from annotations.suggest.crf import CRF
from annotations.suggest.evaluate import content_words, endorsement_hits
from annotations.suggest.lexicon import (
    ALIASES,
    DAYS,
    MONTHS,
    NEGATIVE_WORDS,
    OPPOSE_VERBS,
    ORG_WORDS,
    PARTY_NAMES,
    POSITIVE_WORDS,
    SPEECH_VERBS,
    SUPPORT_VERBS,
)
from annotations.suggest.segment import TOKEN, layout, tokens
from annotations.suggest.types import EndorsementSuggestion, Speaker, Suggestions

try:
    from annotations.suggest import _stances  # built from _stances.c at install, when a C compiler was there
except ImportError:  # pair_signals does the same in Python
    _stances = None

POSSESSIVE = re.compile(r"(?:’s|'s|’|')$")
POSSESSIVE_ENDS = ("s", "’", "'")  # a token (never a line's end) with none of these has no possessive
# Capitalised words that begin a sentence or a phrase without naming anyone.
NOT_NAMES = {
    "the", "a", "an", "but", "and", "or", "in", "on", "at", "for", "if", "when", "while", "this", "that",
    "these", "those", "it", "its", "he", "she", "they", "we", "i", "you", "his", "her", "their", "our", "my",
    "after", "before", "as", "with", "without", "so", "yet", "not", "no", "yes", "there", "here", "what",
    "who", "why", "how", "where", "some", "many", "most", "all", "both", "each", "every", "even", "just",
    "only", "also", "still", "now", "then", "mr", "mr.", "mrs", "mrs.",
    "ms", "ms.", "dr", "dr.", "president", "sen", "sen.", "senator", "rep", "rep.", "gov", "gov.", "speaker",
    "leader", "secretary", "former", "vice", "chairman", "chairwoman", "attorney", "general", "majority",
    "minority", "said", "says", "according", "however", "meanwhile", "since", "until", "because", "though",
    "although", "despite", "during", "from", "to", "of", "by", "about", "over", "under", "one", "two",
    "more", "less", "new", "last", "next", "first", "read", "related", "photo", "image", "video", "click",
    "advertisement", "ap", "reuters",  # datelines: "WASHINGTON (AP) —"
} | DAYS | MONTHS
TITLES = {"mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "president", "sen", "sen.", "senator", "rep",
          "rep.", "gov", "gov.", "governor", "speaker", "leader", "secretary", "former", "vice", "chairman",
          "chairwoman", "attorney", "general", "majority", "minority", "house", "senate", "judge", "justice",
          "gen.", "gen", "candidate", "nominee", "presidential", "democratic", "republican", "u.s.", "us"}
NOT_LEADING = TITLES | NOT_NAMES  # words a name does not begin with
PARTIES = {**PARTY_NAMES, "republican": "Republican Party", "democratic": "Democratic Party",
           "democrat": "Democratic Party", "gop": "Republican Party"}
PERSON_PRONOUNS = {"he", "she"}  # subjects only: "his", "her" and "him" resolved this way did worse
GROUP_PRONOUNS = {"they", "them", "their"}
# Each pronoun as it may be written ("he", "He", "HE", "hE"): no other word's lower case is one.
PRONOUN_FORMS = {"".join(form): low for low in PERSON_PRONOUNS | GROUP_PRONOUNS
                 for form in product(*((c, c.upper()) for c in low))}
NEGATIONS = {"not", "n't", "no", "never", "nor", "without"}
SUPPORT = {w.lower() for w in SUPPORT_VERBS} | {w.lower() for w in POSITIVE_WORDS}
OPPOSE = {w.lower() for w in OPPOSE_VERBS} | {w.lower() for w in NEGATIVE_WORDS}
OFFICES = {"president", "sen", "senator", "rep", "representative", "gov", "governor", "speaker", "leader",
           "secretary", "mayor", "chairman", "chairwoman", "attorney", "minister", "congressman", "congresswoman",
           "lawmaker", "candidate", "nominee", "spokesman", "spokeswoman", "director", "judge", "justice"}
AFFILIATION = re.compile(r"^[RDI]-")  # "(D-Calif.)" tells a side; it names no one
SPEECH = {w.lower() for w in SPEECH_VERBS}


@dataclass(slots=True)  # made by the hundred per article
class Party:
    key: str  # the name the article knows it by
    kind: str  # person, party, group, other
    titled: bool = False  # named with an office: "Sen.", "President", "Gov." (a political actor)


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    token: int  # index of its first token in the article
    stop: int  # index of the token after it
    party: Party
    pronoun: bool = False


def _name_runs(tokens):
    """Runs of capitalised tokens ("Sen. Mitch McConnell", "Department of Justice")."""
    runs, i, n = [], 0, len(tokens)
    while i < n:
        w = tokens[i][2]
        if w[:1].isupper():
            j = i + 1
            while j < n and (tokens[j][2][:1].isupper() or (
                    tokens[j][2] in ("of", "for") and j + 1 < n and tokens[j + 1][2][:1].isupper()) or (
                    # an initial: "Elijah E. Cummings"
                    tokens[j][2] == "." and len(tokens[j - 1][2]) == 1 and j + 1 < n
                    and tokens[j + 1][2][:1].isupper())):
                j += 1
            runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


def clean_name(words: list[str]) -> list[str]:
    """A name's words (tokens) without possessives, initials and leading titles or sentence openers."""
    words = [POSSESSIVE.sub("", w) if w.endswith(POSSESSIVE_ENDS) else w
             for w in words if w != "." and not (len(w) == 1 and w.isupper())]
    # Titles go: "Secretary of State Hillary Clinton", "Senate Majority Leader Mitch McConnell".
    while len(words) > 1 and (words[0].lower() in NOT_LEADING or (
            words[0] == "State" and len(words) > 2)):
        words = words[1:]
    while words and words[-1].lower() in ("of", "for"):
        words = words[:-1]
    return words


def _names(tokens) -> list[tuple[int, int, list[str]]]:
    """(token index, end token, words) of each name the article writes."""
    raw = []
    for i, j in _name_runs(tokens):
        words = clean_name([t[2] for t in tokens[i:j]])
        if not words or all(w.lower() in NOT_NAMES for w in words) or len(words) > 6 or AFFILIATION.match(words[0]):
            continue
        raw.append((i, j, words))
    return raw


def _full_names(tokens, names) -> dict[str, str]:
    """Each surname (lower case) with the full name the article first gave it, and each first
    name ("John has done ...") that only one of those full names has."""
    # A capitalised word the article also writes in lower case opens a sentence: "Later Sam Okafor".
    lower = {t[2] for t in tokens if t[2][:1].islower()}
    full_by_last: dict[str, str] = {}
    for _, _, words in names:
        while len(words) > 1 and words[0].lower() in lower:
            words = words[1:]
        if len(words) >= 2 and words[-1].lower() not in PARTIES:
            full_by_last.setdefault(words[-1].lower(), " ".join(words))
    firsts: dict[str, set[str]] = {}
    for full in full_by_last.values():
        if len(full.split()) in (2, 3):
            firsts.setdefault(full.split()[0].lower(), set()).add(full)
    return {**{w: f.pop() for w, f in firsts.items() if len(f) == 1}, **full_by_last}


# The quote tagger (for each surname speaker) and the endorsement classifier read the same
# article's names, one after the other: the last article's are kept.
@functools.lru_cache(maxsize=1)
def _people(text: str) -> tuple[list, dict[str, str]]:
    toks = tokens(text)
    names = _names(toks)
    return names, _full_names(toks, names)


def full_names(text: str) -> dict[str, str]:
    """"Okafor" -> "Sam Okafor": each surname (or unshared first name) with the person the article
    first named in full."""
    return _people(text)[1]


def mentions(text: str) -> list[Mention]:
    """Named parties and the pronouns that stand for them, in text order."""
    toks = tokens(text)
    # A surname (or first name) alone is the person first named in full; "GOP", "Republicans" one party.
    raw, full_by_last = _people(text)
    parties: dict[str, Party] = {}
    found: list[Mention] = []
    for i, j, words in raw:
        low = " ".join(words).lower()
        if low in PARTIES:
            key, kind = PARTIES[low], "party"
        elif low in ALIASES:
            key, kind = ALIASES[low]
        elif len(words) <= 3 and words[-1].lower() in ("democrats", "republicans"):
            # "House Democrats", "Senate Republicans": the party's members acting as one.
            key, kind = PARTIES[words[-1].lower()], "party"
        elif len(words) == 1 and low in full_by_last:
            key, kind = full_by_last[low], "person"
        else:
            key = " ".join(words)
            lows = low.split()
            kind = ("group" if any(w in ORG_WORDS or w in PARTIES for w in lows) else
                    "person" if 2 <= len(words) <= 3 else "other")
        party = parties.setdefault(key, Party(key, kind))
        party.titled = party.titled or any(t[2].lower().rstrip(".") in OFFICES for t in toks[max(0, i - 2):j])
        found.append(Mention(toks[i][0], toks[j - 1][1], i, j, party))
    # Pronouns: "he" is the person named last, "they" the party, group or other named last.
    out = []
    starts = [m.token for m in found]
    for k in [k for k, t in enumerate(toks) if t[2] in PRONOUN_FORMS]:
        s, e, w = toks[k]
        low = PRONOUN_FORMS[w]
        at = bisect.bisect_left(starts, k)
        want_person = low in PERSON_PRONOUNS
        for m in reversed(found[max(0, at - 8):at]):  # the eight parties named last
            if (m.party.kind == "person") == want_person:  # at any distance: a limit did no better
                out.append(Mention(s, e, k, k + 1, m.party, pronoun=True))
                break
    return sorted(found + out, key=lambda m: m.token)


def _bucket(d: int) -> str:
    return "0" if d <= 0 else "1" if d == 1 else "2-3" if d <= 3 else "4-7" if d <= 7 else "8-15" if d <= 15 else "many"


@dataclass(slots=True)
class Candidate:
    a: Party
    b: Party
    sentences: list | tuple  # what each sentence naming both says of the pair: records (said_of)
    first: tuple[int, int]  # the sentence naming the first, when none names both
    # Its features in groups: tuples of binary ones, most shared by many pairs of the article
    # (what a party brings to every pair it is in), and a dict of the pair's own counts, whose
    # weights are their squashed values (squash).
    groups: tuple

    @property
    def features(self) -> dict:
        out = {}
        for g in self.groups:
            out.update(dict.fromkeys(g, 1.0) if isinstance(g, tuple) else {k: squash(v) for k, v in g.items()})
        return out


def squash(count: float) -> float:
    """A count as a feature's value: counts grow with the article, so long articles would dominate."""
    return count if count <= 1 else 1.0 + (count - 1) ** 0.5 / 2


@dataclass(slots=True)
class _Sentence:
    start: int
    end: int
    lo: int  # token range
    hi: int
    quoted: bool
    parties: dict  # key -> first Mention in the sentence


def _sentences(text, tokens, found) -> list[_Sentence]:
    starts = [t[0] for t in tokens]
    mstarts = [m.token for m in found]
    out = []
    for para, quotes, sents in layout(text):
        for s in sents:
            lo, hi = bisect.bisect_left(starts, s.start), bisect.bisect_left(starts, s.end)
            parties: dict[str, Mention] = {}
            for m in found[bisect.bisect_left(mstarts, lo):bisect.bisect_left(mstarts, hi)]:
                if m.party.key not in parties or (parties[m.party.key].pronoun and not m.pronoun):
                    parties[m.party.key] = m
            out.append(_Sentence(s.start, s.end, lo, hi, any(q.start < s.end and s.start < q.end for q in quotes),
                                 parties))
    return out


MAX_PARTIES = 25
# Many stances are towards a topic, not a party ("backs the bill", "opposes impeachment"): the
# article's most frequent lower-case words stand as targets (never endorsers) for its leading
# parties. On SEESAW, 8 of them (with unjoined pairs left out, below): valid F1 0.236 -> 0.241
# (bench_learned), out-of-fold F1 0.213 -> 0.217 (train_suggester --split train).
MAX_TOPICS = 8
NOT_TOPICS = {
    "the", "and", "but", "with", "from", "this", "that", "these", "those", "they", "them", "their", "your", "were",
    "been", "being", "have", "does", "will", "would", "could", "should", "might", "must", "shall", "about",
    "after", "before", "over", "under", "into", "than", "then", "there", "here", "what", "which", "whom",
    "whose", "when", "where", "both", "each", "more", "most", "other", "some", "such", "only", "same", "very",
    "just", "also", "said", "says", "told", "according", "like", "year", "years", "time", "people", "percent",
    "while", "because", "against", "during", "since", "until", "much", "many", "even", "still", "back", "going",
    "make", "made", "well", "want", "wants", "wanted", "think", "know", "last", "first", "next", "week",
    "weeks", "month", "months", "days", "former", "asked", "called", "added",
}


def _party_of(name: str | None, keys: list[str]) -> str | None:
    """The article's party a name given by the rules stands for ("Mr. Trump" -> "Donald Trump")."""
    if not name:
        return None
    if name in keys:
        return name
    words = content_words(name)
    return next((k for k in keys if words & content_words(k)), None)


def _add(f: dict, name: str, w: float = 1.0) -> None:
    f[name] = f.get(name, 0.0) + w


def _topics(tokens, lowers) -> dict[str, list[int]]:
    """The article's most frequent lower-case words (named twice or more), each with its tokens."""
    at: dict[str, list[int]] = {}
    for i, t in enumerate(tokens):
        if t[2][0].islower():  # the cheapest test first
            w = lowers[i]
            if len(w) >= 4 and w.isalpha() and w not in NOT_TOPICS:
                at.setdefault(w, []).append(i)
    ranked = sorted((w for w in at if len(at[w]) >= 2), key=lambda w: -len(at[w]))
    return {w: at[w] for w in ranked[:MAX_TOPICS]}


# The names pair_signals gives what it counts, in this order: four for any pair, then eight for
# what a sentence says of it by which of the two it names first ("ab": the endorser, then "ba").
_NAMES = ("next", "co", "ssup", "sopp", *(name for d in ("ab", "ba") for name in (
    f"co_{d}", f"a_says_{d}", f"b_says_{d}", f"coq_{d}", f"{d}:sup", f"{d}:opp", f"{d}:neg", f"{d}:verb=")))
# A lower-case word's lists, as bits: support 1, oppose 2, negation 4, speech verb 8.
_FLAGS = {w: sum(1 << bit for bit, words in enumerate((SUPPORT, OPPOSE, NEGATIONS, SPEECH)) if w in words)
          for w in SUPPORT | OPPOSE | NEGATIONS | SPEECH}


def pair_signals(flags: list[int], lowers: list[str], sents: list[tuple], names: tuple) -> list[tuple]:
    """What an article's sentences say of each pair of parties: (first, second, features,
    evidence) of each pair they join, in the order they first join it; _stances.pair_signals (C)
    does the same. Per token, its word lists (_FLAGS bits) and lower case; per sentence, its
    token range, whether it is quoted, its span, and its parties (index as a pair's second, as
    its first or -1, first mention's token and the token after it). A pair's features count
    sentences naming both (co, by who comes first, who speaks, support and opposition words
    between them and in the sentence, a negation between) and sentences naming one followed by
    one naming the other (next); its evidence is a record of what each sentence naming both
    says, which said_of turns into features for the few sentences shown as evidence."""
    if len(names) != 20:
        raise ValueError("pair_signals: wanted 20 names")
    nxt = names[0]
    pair_names = names[4:12], names[12:20]
    # Running counts of each word list, so any stretch of tokens is counted in one subtraction.
    sup_at, opp_at, neg_at, say_at = (list(accumulate((x >> bit & 1 for x in flags), initial=0))
                                      for bit in range(4))
    pairs: dict[tuple[int, int], tuple] = {}

    def of(a: int, b: int) -> tuple:
        pair = pairs.get((a, b))
        if pair is None:
            pair = pairs[(a, b)] = (a, b, {}, [])
        return pair

    for si, (s_lo, s_hi, quoted, span, here) in enumerate(sents):
        if si + 1 < len(sents):
            # A party in this sentence and another in the next: "Obama spoke. He called Boehner ..."
            following = sents[si + 1][4]
            for a, a_first, _, _ in here:
                if a_first < 0:
                    continue
                for b, _, _, _ in following:
                    if b != a:
                        f = of(a_first, b)[2]
                        f[nxt] = f.get(nxt, 0.0) + 1.0
        if len(here) < 2:
            continue
        ssup, sopp = sup_at[s_hi] - sup_at[s_lo], opp_at[s_hi] - opp_at[s_lo]
        # Whether a speech verb stands by each party's mention: "Walker said Democrats ...":
        # the one who speaks is the likelier endorser.
        says = [say_at[min(s_hi, i + 4)] > say_at[max(s_lo, i - 3)] for _, _, i, _ in here]
        for x, (a, a_first, ia, a_stop) in enumerate(here):
            if a_first < 0:
                continue
            for y, (b, _, ib, b_stop) in enumerate(here):
                if b == a:
                    continue
                _, _, f, evidence = of(a_first, b)
                # The tokens between the two: from the end of the first to the start of the second.
                side = 0 if ia < ib else 1
                lo = b_stop if side else a_stop
                hi = max(lo, ia if side else ib)
                record = (span, side, says[x], says[y], quoted, sup_at[hi] - sup_at[lo], opp_at[hi] - opp_at[lo],
                          ssup, sopp, neg_at[hi] > neg_at[lo], tuple(lowers[lo:hi]) if hi - lo <= 6 else ())
                verb = pair_names[side][7]
                for k, v in said_of(record, names).items():
                    if k.startswith(verb):  # a joining word: there or not
                        f[k] = v
                    else:
                        f[k] = f.get(k, 0.0) + v
                evidence.append(record)
    return list(pairs.values())


def said_of(record: tuple, names: tuple = _NAMES) -> dict:
    """What a sentence says of a pair, as features, from its evidence record (pair_signals):
    (span, which party comes first (0: the endorser), whether a speech verb stands by the
    first and by the second, whether the sentence is quoted, support and opposition words
    between them, and in the sentence, a negation between them, the words joining them)."""
    _, side, a_says, b_says, quoted, sup, opp, ssup, sopp, neg, words = record
    co_d, a_said, b_said, coq, sup_name, opp_name, neg_name, verb = names[4 + 8 * side:12 + 8 * side]
    said = {names[1]: 1.0, co_d: 1.0}
    if a_says:
        said[a_said] = 1.0
    if b_says:
        said[b_said] = 1.0
    if quoted:
        said[coq] = 1.0
    said[sup_name], said[opp_name], said[names[2]], said[names[3]] = sup, opp, ssup, sopp
    if neg:
        said[neg_name] = 1.0
    for w in words:  # "A vouched for B": the words of a verb phrase joining them
        said[verb + w] = 1.0
    return said


class _Article:
    """One article as the classifier reads it: tokens, parties ranked by mentions, sentences."""

    def __init__(self, text: str):
        self.tokens = tokens(text)
        self.lowers = [t[2].lower() for t in self.tokens]
        self.found = mentions(text)
        ranked = [k for k, _ in Counter(m.party.key for m in self.found).most_common()]
        self.top = ranked[:MAX_PARTIES]
        # Topics join the parties after pronouns are resolved ("they" is never a topic), ranked
        # among themselves.
        self.topics = _topics(self.tokens, self.lowers)
        self.rank = {**{k: r for r, k in enumerate(ranked)}, **{k: r for r, k in enumerate(self.topics)}}
        for key, marks in self.topics.items():
            topic = Party(key, "topic")
            self.found += [Mention(self.tokens[i][0], self.tokens[i][1], i, i + 1, topic) for i in marks]
        self.found.sort(key=lambda m: m.token)
        self.counts = Counter(m.party.key for m in self.found)
        self.kinds = {m.party.key: m.party.kind for m in self.found}
        self.titled = {m.party.key: m.party.titled for m in self.found}
        self.first_at: dict[str, float] = {}
        for m in self.found:
            self.first_at.setdefault(m.party.key, m.start / max(1, len(text)))
        self.sents = _sentences(text, self.tokens, self.found)

    def sentence_signals(self, feats: "_Pairs", evidence: dict) -> None:
        """What the sentences naming both parties of a pair (or one each, one after the other) say
        (pair_signals), into each pair's features and its evidence."""
        first, second = feats.first, feats.second
        seconds = [None] * (max(second.values(), default=-1) + 1)  # by index
        for k, j in second.items():
            seconds[j] = k
        sents = [(s.lo, s.hi, s.quoted, (s.start, s.end),
                  # Only the parties a pair can hold (a leading party or a topic): a party's
                  # index as a pair's second, as its first (-1: never an endorser), its mention.
                  tuple([(second[k], first.get(k, -1), m.token, m.stop) for k, m in s.parties.items() if k in second]))
                 for s in self.sents]
        flags = list(map(_FLAGS.get, self.lowers, repeat(0)))
        run = pair_signals if _stances is None else _stances.pair_signals
        for i, j, f, records in run(flags, self.lowers, sents, _NAMES):
            a, b = seconds[i], seconds[j]  # a leading party's index is the same in both
            feats[(a, b)] = f
            if records:
                evidence[(a, b)] = records

    def rule_signals(self, rules: Suggestions, feats: "_Pairs") -> Counter:
        """What the rules found: quotes where one party names another, and endorsements. Returns
        how many quotes each party speaks."""
        mstarts = [m.start for m in self.found]
        spoke = Counter()
        for q in rules.quotes:
            a = _party_of(q.speaker.name if q.speaker else None, self.top)
            if a is None:
                continue
            spoke[a] += 1
            words = [w.lower() for w in TOKEN.findall(q.text)]
            lean = sum(w in SUPPORT for w in words) - sum(w in OPPOSE for w in words)
            for m in self.found[bisect.bisect_left(mstarts, q.start):bisect.bisect_left(mstarts, q.end)]:
                b = m.party.key
                f = feats.of(a, b)
                if f is not None:
                    _add(f, "quotes")
                    _add(f, f"quote_lean={'+' if lean > 0 else '-' if lean < 0 else '0'}")
        for e in rules.endorsements:
            a = _party_of(e.endorser.name, self.top)
            b = _party_of(e.target.name if e.target else e.target_text, self.top)
            f = feats.of(a, b) if a and b else None
            if f is not None:
                _add(f, f"rule={e.polarity}")
        return spoke


class _Pairs(dict):
    """What the article says of each ordered pair that can be a candidate: two of its leading
    parties, or one and a topic (never a topic first). A pair's features are made when the
    article first says something of it: most pairs it never joins."""

    def __init__(self, top: list[str], topics):
        super().__init__()
        self.first = {k: i for i, k in enumerate(top)}
        self.second = {**{t: len(top) + i for i, t in enumerate(topics)}, **self.first}

    def of(self, a: str, b: str) -> dict | None:
        """The pair's features (made now if need be), or None when it cannot be a candidate."""
        f = self.get((a, b))
        if f is None and a != b and a in self.first and b in self.second:
            f = self[(a, b)] = {}
        return f

    def in_order(self):
        """The pairs in a fixed order: each party with the other parties, then with the topics."""
        first, second = self.first, self.second
        return sorted(self.items(), key=lambda item: (item[0][1] not in first, first[item[0][0]], second[item[0][1]]))


def candidates(text: str, rules: Suggestions | None = None) -> list[Candidate]:
    """Every ordered pair of the article's leading parties, with what the article says of them."""
    art = _Article(text)
    if not art.tokens:
        return []
    top, rank, kinds = art.top, art.rank, art.kinds
    feats = _Pairs(top, art.topics)
    evidence: dict[tuple[str, str], list] = {}
    art.sentence_signals(feats, evidence)
    spoke = art.rule_signals(rules or engine.suggest(text), feats)
    # What a party brings to every pair it is in, made once.
    sent_starts = [s.start for s in art.sents]
    first_sent = {}
    for m in art.found:
        if m.party.key not in first_sent:
            k = bisect.bisect_right(sent_starts, m.start) - 1
            first_sent[m.party.key] = (art.sents[k].start, art.sents[k].end) if k >= 0 else (m.start, m.end)
    own_a, own_b = {}, {}
    everyone = top + list(art.topics)
    for p in everyone:
        mine = (f"r={min(rank[p], 5)}", f"k={kinds[p]}", f"={p.lower()}", f"c={_bucket(art.counts[p])}",
                f"t={int(art.titled[p])}", f"f={int(art.first_at[p] * 4)}", f"s={_bucket(spoke[p])}")
        own_a[p], own_b[p] = tuple("a" + x for x in mine), tuple("b" + x for x in mine)
    parties = {p: Party(p, kinds[p]) for p in everyone}
    n = min(len(top), 6)
    shapes = {}  # most pairs share their shape (ranks, kinds, sentences together): one tuple each
    profile = {p: (min(rank[p], 3), kinds[p]) for p in everyone}
    out = []
    # A pair the article says nothing of (no sentence, quote or rule joins them) is none:
    # scoring such pairs on their names and ranks alone did no better, at a quarter more time.
    for (a, b), f in feats.in_order():
        key = (profile[a], profile[b], int(f.get("co", 0)))
        pair = shapes.get(key)
        if pair is None:
            (ra, ka), (rb, kb), co = key
            co = _bucket(co)
            pair = shapes[key] = ("bias", f"n={n}", f"rr={ra}|{rb}", f"kk={ka}|{kb}", f"co={co}",
                                  f"rr|co={ra}|{rb}|{co}")
        out.append(Candidate(parties[a], parties[b], evidence.get((a, b), ()), first_sent[a],
                             (own_a[a], own_b[b], pair, f or ())))
    return out


# --- gold, training, calibration ------------------------------------------------------------

def gold_stances(doc: dict) -> list[tuple[str, str, str]]:
    """(subject, object, supports|opposes) of a gold article with both parties named."""
    out = []
    for st in doc.get("stances") or []:
        subject, obj = st.get("subject"), st.get("object")
        if subject and obj and "Not in the list" not in (subject, obj):
            pol = st.get("polarity")
            out.append((subject, obj, "supports" if pol in ("positive", "supports") else "opposes"))
    return list(dict.fromkeys(out))  # the metric counts each triple once


def gold_label(c: Candidate, stances: list[tuple[str, str, str]]) -> str:
    a, b = content_words(c.a.key), content_words(c.b.key)
    votes = Counter(pol for subject, obj, pol in stances if a & content_words(subject) and b & content_words(obj))
    return votes.most_common(1)[0][0] if votes else "none"


def examples(doc: dict, cands: list[Candidate]):
    """(features, label) of each candidate pair of a gold article. An article editors have not
    finished teaches only the pairs they decided: accepted ones and rejected ones (none)."""
    stances = gold_stances(doc)
    rejected = [(a, b) for a, b in doc.get("rejected_stances") or []]
    for c in cands:
        label = gold_label(c, stances)
        if doc.get("partial") and label == "none":
            a, b = content_words(c.a.key), content_words(c.b.key)
            if not any(a & content_words(ra) and b & content_words(rb) for ra, rb in rejected):
                continue
        yield c.features, label


# Strong L1: on a few hundred articles, the words themselves overfit (tried: bags of the words
# between the parties and around them score lower on unseen articles than counts and structure).
def fit_crf(pairs, *, c1: float = 3.0, c2: float = 0.01, max_iterations: int = 150) -> bytes | None:
    """The classifier from (features, label) pairs; None when there are none."""
    trainer = pycrfsuite.Trainer(verbose=False)
    n = 0
    for features, label in pairs:
        trainer.append(pycrfsuite.ItemSequence([features]), [label])
        n += 1
    if not n:
        return None
    trainer.set_params({"c1": c1, "c2": c2, "max_iterations": max_iterations})
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "stance.crfsuite")
        trainer.train(path)
        with open(path, "rb") as fh:
            return fh.read()


LABELS = ("supports", "opposes", "none")


def weight_sums(weights: dict, group: tuple | dict) -> tuple[float, float, float]:
    """A candidate's feature group's summed weights for each label (LABELS' order): a tuple of
    binary features, or a dict of the pair's own counts as their features' values, squashed
    (squash) only where the model has a weight."""
    s = o = n = 0.0
    if type(group) is tuple:
        for k in group:
            w = weights.get(k)
            if w is not None:
                s += w[0]
                o += w[1]
                n += w[2]
        return s, o, n
    for k, v in group.items():
        w = weights.get(k)
        if w is not None:
            if v > 1:
                v = squash(v)
            s += w[0] * v
            o += w[1] * v
            n += w[2] * v
    return s, o, n


def probabilities(weights: dict, groups: list[tuple], present: tuple) -> list[tuple[float, float]]:
    """Each candidate's probabilities (from its feature groups) that its first supports, and
    opposes, its second: the softmax of the groups' weight sums over the labels the model has
    (present). A tuple group many candidates share is summed once. _stances.probabilities does
    the same in C."""
    shared, out = {}, []
    sup, opp, none = present
    for cand in groups:
        s = o = n = 0.0
        for g in cand:
            w = shared.get(id(g))  # `groups` holds every group alive: no id is reused meanwhile
            if w is None:
                w = weight_sums(weights, g)
                if type(g) is tuple:
                    shared[id(g)] = w
            s += w[0]
            o += w[1]
            n += w[2]
        top = max(s, o, n)
        es = math.exp(s - top) if sup else 0.0
        eo = math.exp(o - top) if opp else 0.0
        z = es + eo + (math.exp(n - top) if none else 0.0)
        out.append((es / z, eo / z))
    return out


class Classifier:
    """The classifier as weights read out of its crfsuite bytes. Trained on one-item sequences it
    has no transitions, so a pair's probabilities are the softmax of its features' summed weights
    (what crfsuite's marginals give): computed here, which spares building crfsuite's view of
    hundreds of pairs per article."""

    def __init__(self, crf: bytes):
        model = CRF(crf)  # a ValueError when it cannot be read
        # A model from a few articles may never have seen one polarity: it scores 0 then.
        self.present = tuple(label in model.labels for label in LABELS)
        at = [model.labels.index(label) if here else None for label, here in zip(LABELS, self.present)]
        # Tuples of floats, not lists: the collector stops tracking them, and a worker's garbage
        # collections no longer walk every weight of the model.
        self.weights: dict[str, tuple[float, ...]] = {
            attr.decode(): tuple([0.0 if k is None else float(model.state[row, k]) for k in at])
            for attr, row in model.index.items()}

    def _sums(self, items) -> tuple[float, float, float]:
        s = o = n = 0.0
        weights = self.weights
        for k, v in items:
            w = weights.get(k)
            if w is not None:
                s += w[0] * v
                o += w[1] * v
                n += w[2] * v
        return s, o, n

    def probabilities(self, cands: list[Candidate]) -> list[tuple[float, float]]:
        """Each pair's probabilities that its first supports, and opposes, its second."""
        run = probabilities if _stances is None else _stances.probabilities
        return run(self.weights, [c.groups for c in cands], self.present)

    def evidence(self, cand: Candidate, polarity: str) -> tuple[int, int]:
        """The sentence that says most for the polarity, by the classifier's own weights."""
        if not cand.sentences:
            return cand.first
        i = LABELS.index(polarity)

        def lean(record: tuple) -> float:  # for the polarity, against "none"
            sums = self._sums(said_of(record).items())
            return sums[i] - sums[2]

        return max(cand.sentences, key=lean)[0]


def scored(cands: list[Candidate], classifier: Classifier):
    """(raw probability, polarity, candidate) of each pair and polarity, best first. Both
    polarities of a pair are candidates: an article often has one party back another on one
    thing and attack it on another (held out, this did better than the likelier one alone)."""
    out = []
    for (sup, opp), c in zip(classifier.probabilities(cands), cands):
        out.append((sup, "supports", c))
        out.append((opp, "opposes", c))
    return sorted(out, key=itemgetter(0), reverse=True)  # a stable sort: ties keep their order


def outcomes(ranked, stances: list[tuple[str, str, str]]) -> list[int]:
    """1 for each prediction (best first) that takes a gold triple of its own, as the metric does."""
    return [int(hit) for hit in endorsement_hits(((c.a.key, c.b.key, pol) for _, pol, c in ranked), stances)]


def suggestions(text: str, classifier: Classifier, calibrate, floor: float, rules: Suggestions | None = None
                ) -> list[EndorsementSuggestion]:
    out = []
    for raw, pol, c in scored(candidates(text, rules), classifier):
        conf = round(calibrate(raw), 3)
        if conf < floor or conf <= 0:
            break  # best first, and the calibration never falls as the score rises
        s, e = classifier.evidence(c, pol)
        out.append(EndorsementSuggestion(
            endorser=Speaker(name=c.a.key, kind=c.a.kind), polarity=pol, start=s, end=e, text=text[s:e],
            confidence=conf, target=None if c.b.kind == "topic" else Speaker(name=c.b.key, kind=c.b.kind),
            target_text=c.b.key))
    return out
