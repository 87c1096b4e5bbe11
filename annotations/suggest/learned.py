"""A learned quote tagger: a linear-chain CRF over the tokens of each paragraph, with BILOU
tags for quote content (Q), source/speaker mention (S) and cue (C). python-crfsuite trains it;
`crf` tags with its weights.

The rule engine's own output is among the features, and it stays the fallback: with no
model (or a model that cannot be read) `suggest` is the rules' `suggest`. Endorsements come
from the stance classifier (`stances`) when the model was trained on endorsements, else from
the rules. No ORM here; the model is one file (a zip: the crfsuite bytes, the calibrations
and the metadata), so it can also be stored elsewhere as bytes.
"""

import bisect
import hashlib
import io
import json
import logging
import os
import random
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field, replace
from itertools import product

import numpy as np
import pycrfsuite

from annotations.suggest import engine, stances
from annotations.suggest.calibration import Calibration, best_floor
from annotations.suggest.crf import COMPILED, CRF
from annotations.suggest.evaluate import evaluate_quotes, match
from annotations.suggest.jsonl import record
from annotations.suggest.lexicon import MORE_CUES, PRONOUNS, RARE_CUES, SPEECH_VERBS
from annotations.suggest.segment import layout, tokens
from annotations.suggest.types import QuoteSuggestion, Speaker, Suggestions

log = logging.getLogger(__name__)

# Format 2 tags spans BILOU (format 1: BIO); this code reads both, and older code refuses a
# format-2 model (its rules suggest) rather than misreading its tags.
FORMAT = 2
READS = (1, 2)
QUOTE_MARKS = {'"', "“", "”", "«", "»", "„", "''", "``"}
SPEECH = {v.lower() for v in SPEECH_VERBS} | {"according"}
LABELS = ("Q", "S", "C")
CUES = (SPEECH - RARE_CUES) | MORE_CUES


class ModelError(Exception):
    """A model file that cannot be used: missing, not a model, corrupt, or another format."""


# --- Features -------------------------------------------------------------------------------


def _shape(w: str) -> str:
    if w in QUOTE_MARKS:
        return "QM"
    if not w[0].isalnum():
        return "P"
    if w.isdigit():
        return "D"
    if w.isupper() and len(w) > 1:
        return "XX"
    return "Xx" if w[0].isupper() else "x"


# What a word brings wherever it stands, made once per word: its lower case (str and bytes),
# its shape (bytes and code), the speech verb it is (a code, or -1), and its feature strings
# as the token itself and as a neighbour, the heads of its word-pair strings ("w-1|w=" and
# "w|w+1=" with it as the first word), which the second word ends, and its _KIND.
(LOWER, LOWER_B, SHAPE, SHAPE_I, VERB_I, F_W, F_SH, F_S3, F_P3, F_M3, F_M2, F_M1, F_P1, F_P3W,
 PAIR_PREV, PAIR_NEXT, KIND_I) = range(17)
_WORDS: dict[str, tuple] = {}


def _bucket(d: int) -> str:
    if d == 0:
        return "0"
    a = abs(d)
    b = "1" if a == 1 else "2" if a == 2 else "3-4" if a <= 4 else "5-9" if a <= 9 else "far"
    return ("-" if d < 0 else "+") + b


# --- Small templates, by code -----------------------------------------------------------------
# Most templates combine a few small values of a token (the rules' mark, inside a quotation or
# not, a distance bucket, a speech verb), so they have few strings, listed here once. A
# paragraph keeps each token's code in each of them; training reads the codes back as the
# strings, and tagging sums their weight rows from a table made once per model, in one gather
# per article, rather than making and looking up a string per token and template.
BUCKETS = tuple(_bucket(d).encode() for d in (0, 1, 2, 3, 5, 10, -1, -2, -3, -5, -10))
NB = len(BUCKETS)
RULE = (b"", b"qB", b"qI", b"s", b"c")
R_QB, R_QI, R_S, R_C = 1, 2, 3, 4
SHAPES = (b"QM", b"P", b"D", b"XX", b"Xx", b"x")
BITS = (b"0", b"1")
CONF = (b"",) + tuple(f"{k / 100:.2f}".encode() for k in range(101))  # the rules' confidence, as written
VERBS = tuple(sorted(w.encode() for w in CUES))
_VERB_I = {v.decode(): i for i, v in enumerate(VERBS)}
_KIND = {"that": 1, ",": 2, ":": 3}  # what ends a clause after a speech verb (_sentence_rows)
# What the paragraph before held ("pp=": a speech verb, a quotation, an open one; "pp=start" for
# none), then, from a paragraph's second sentence on, what the sentence before held ("ps=").
STATES = (b"pp=start",) + tuple(b"pp=" + a + b + c for a in BITS for b in BITS for c in BITS) + tuple(
    b"ps=" + a + b for a in BITS for b in BITS)
PP, PS = 1, 9  # the codes of "pp=000" and "ps=00"


def _product(prefix: bytes, *parts) -> tuple[bytes, ...]:
    return tuple(prefix + b"".join(p) for p in product(*parts))


def _bar(values) -> tuple[bytes, ...]:
    return tuple(b"|" + v for v in values)


CODED = {  # each template's strings, by code
    "q": _product(b"q=", BITS),
    "r": _product(b"r=", RULE),
    "pv": (b"pv=none",) + _product(b"pv=", VERBS, _bar(BUCKETS)),  # the speech verb before, how far
    "nv": (b"nv=none",) + _product(b"nv=", VERBS, _bar(BUCKETS), _bar(BITS)),  # the one after, a comma between
    "cl": (b"cl=none",) + _product(b"cl=", BUCKETS, _bar(BITS), BITS, BITS),  # a 'that', a comma, quoted
    "s": _product(b"s=", BITS, BITS, _bar(STATES)),
    "pos": _product(b"pos=", (b"-", b"BOS", b"EOS"), _bar(b"0123"[i:i + 1] for i in range(4))),
    "sp": _product(b"sp=", BUCKETS, _bar(BUCKETS)),
    "r|v": _product(b"r|v=", RULE, _bar((b"none",) + BUCKETS)),
    "rc": _product(b"rc=", CONF, _bar(RULE)),
    "r-1": _product(b"r-1=", RULE + (b"^",)),
    "r1": _product(b"r1=", RULE + (b"$",)),
    "q-1": _product(b"q-1=", BITS, _bar(SHAPES)) + (b"q-1=^",),
    "q1": _product(b"q1=", BITS, _bar(SHAPES)) + (b"q1=$",),
    "qm": _product(b"qm=", SHAPES + (b"^",), SHAPES + (b"$",), _bar(BITS)),
}
STRINGS = ("pvn", "w-1|w", "w|w+1")  # templates of any word: a string per token
# The order the templates always had (crfsuite numbers attributes as it meets them, and its
# training sums in that order); the word features (_word_columns) stood before "r-1".
ORDER = ("q", "r", "pv", "pvn", "nv", "cl", "s", "pos", "sp", "r|v", "rc", "w-1|w", "w|w+1",
         "r-1", "r1", "q-1", "q1", "qm")
PAIRS_AT = ORDER.index("r-1")


def _word(w: str) -> tuple:
    low = w.lower()
    lb = low.encode()
    shape = _shape(w).encode()
    entry = (low, lb, shape, SHAPES.index(shape), _VERB_I.get(low, -1), b"w=" + lb, b"sh=" + shape,
             b"s3=" + low[-3:].encode(), b"p3=" + low[:3].encode(),
             b"w-3=" + lb, b"w-2=" + lb, b"w-1=" + lb, b"w1=" + lb, b"w3=" + lb,
             b"w-1|w=" + lb + b"|", b"w|w+1=" + lb + b"|", _KIND.get(low, 0))
    if len(_WORDS) > 50000:  # a bound on memory: the common words come back at once
        _WORDS.clear()
    _WORDS[w] = entry
    return entry


@dataclass
class _Para:
    start: int
    end: int
    tokens: list  # (start, end, word)
    words: list  # each token's _word entry, whence its word features
    codes: np.ndarray | None = None  # templates (CODED) x tokens: each token's code in each
    after_verb: np.ndarray | None = None  # each token's "pvn" word (its index): after the verb before, or -1
    marks: list = field(default_factory=list)  # the paragraph's quotation-mark spans
    sent_of: list = field(default_factory=list)  # each token's sentence (index in the paragraph)

    @property
    def strings(self) -> list[list[bytes]]:
        """Each STRINGS template's attribute of each token, for training (tagging looks their rows
        up by the words themselves: _Scorer)."""
        words, lb = self.words, [x[LOWER_B] for x in self.words]
        return [[b"pvn=" + (lb[k] if k >= 0 else b"none") for k in self.after_verb],
                [b"w-1|w=^|" + lb[0]] + [x[PAIR_PREV] + b for x, b in zip(words, lb[1:])],
                [x[PAIR_NEXT] + b for x, b in zip(words, lb[1:])] + [words[-1][PAIR_NEXT] + b"$"]]

    @property
    def features(self) -> list[tuple]:
        """Each token's attributes, as crfsuite's trainer takes them."""
        cols = {name: [CODED[name][c] for c in row] for name, row in zip(CODED, self.codes.tolist())}
        cols.update(zip(STRINGS, self.strings))
        words, other = _word_columns(self.words), [cols[name] for name in ORDER]
        return list(zip(*words[:len(OWN)], *other[:PAIRS_AT], *words[len(OWN):], *other[PAIRS_AT:]))


def _rule_marks(result: Suggestions, paras: list) -> dict[int, list[tuple[int, int, int]]]:
    """The rules' spans by the start of each paragraph they reach, in the rules' order (the
    first quote over a token marks it): (start, end, kind), kind a quote's CONF code, or R_S or
    R_C (negative) for a speaker's and a cue's."""
    spans = []
    for q in result.quotes:
        # The rules' confidence says which rule fired (a cue with a named speaker, a bare quotation, ...).
        spans.append((q.start, q.end, 1 + min(100, max(0, round(q.confidence * 100)))))
        if q.speaker_start is not None:
            spans.append((q.speaker_start, q.speaker_end, -R_S))
        if q.cue_start is not None:
            spans.append((q.cue_start, q.cue_end, -R_C))
    ends = [p.end for p in paras]
    by_para: dict[int, list] = {}
    for s, e, kind in spans:
        k = bisect.bisect_right(ends, s)  # the first paragraph ending after s
        while k < len(paras) and paras[k].start < e:
            by_para.setdefault(paras[k].start, []).append((s, e, kind))
            k += 1
    return by_para


def _paragraphs(text: str, rules: Suggestions, core=None) -> list[_Para]:
    """Tokens and their features, paragraph by paragraph. Built column by column (one list per
    template) and sentence by sentence, which is much faster than token by token; as UTF-8
    bytes, which crfsuite would otherwise encode string by string. The codes made sentence by
    sentence come from `core` (the C part: CRF.core) when given, else from _sentence_rows."""
    every = tokens(text)
    every_start = [t[0] for t in every]
    out = []
    # The article's per-token values, paragraph after paragraph: quoted, shape, rule, its
    # confidence (_codes makes templates of these), speech verb, "that" or a comma or colon.
    qi_all, shape_all, rule_all, conf_all, verb_all, kind_all = ([] for _ in range(6))
    bounds, spans = [], []  # each sentence's tokens; each paragraph's tokens, sentences and flags
    paras = layout(text)
    marks = _rule_marks(rules, [p for p, _, _ in paras])
    for para, quotes, sents in paras:
        toks = every[bisect.bisect_left(every_start, para.start):bisect.bisect_left(every_start, para.end)]
        if not toks:
            continue
        n, first = len(toks), len(qi_all)
        starts = [t[0] for t in toks]
        sent_of = [0] * n
        first_sentence = len(bounds)
        for si, s in enumerate(sents):
            lo = bisect.bisect_left(starts, s.start)
            hi = bisect.bisect_left(starts, s.end)
            if hi > lo:
                sent_of[lo:hi] = [si] * (hi - lo)
                bounds.append((first + lo, first + hi))
        qi = [0] * n
        for q in quotes:
            lo, hi = bisect.bisect_left(starts, q.start), bisect.bisect_left(starts, q.end)
            qi[lo:hi] = [1] * (hi - lo)
        rule = [0] * n
        conf = [0] * n
        for s, e, kind in marks.get(para.start, ()):
            lo = bisect.bisect_left(starts, s)
            hi = bisect.bisect_left(starts, e)
            if kind > 0:
                for i in range(lo, hi):
                    rule[i] = rule[i] or (R_QB if i == lo else R_QI)
                    conf[i] = conf[i] or kind
            else:
                rule[lo:hi] = [-kind] * (hi - lo)  # speaker and cue win over the content they sit in
        words = [t[2] for t in toks]
        info = [_WORDS.get(w) or _word(w) for w in words]
        qi_all += qi
        shape_all += [x[SHAPE_I] for x in info]
        rule_all += rule
        conf_all += conf
        verb_all += [x[VERB_I] for x in info]
        kind_all += [x[KIND_I] for x in info]
        open_end = bool(quotes) and quotes[-1].end == para.end and words[-1] not in QUOTE_MARKS
        spans.append((first, first + n, first_sentence, len(bounds), 2 * bool(quotes) + open_end))
        out.append(_Para(para.start, para.end, toks, info, None, None, quotes, sent_of))
    if out:
        longest = max(hi - lo for lo, hi, _, _, _ in spans)
        if longest >= len(_AFTER):
            _grow(longest)
        qi, verb, kind = _ints(qi_all), _ints(verb_all), _ints(kind_all)
        bounds = np.array(bounds, dtype=np.intp).reshape(-1, 2)
        spans = np.array(spans, dtype=np.intp)
        if core is not None:
            rows = np.empty((len(SENTENCE_ROWS), len(qi)), dtype=np.intp)
            core.sentence_codes(verb, qi, kind, bounds, spans, *_BUCKET_ARRAYS, _SIZES, rows)
        else:
            rows = _sentence_rows(verb.tolist(), qi_all, kind.tolist(), bounds.tolist(), spans.tolist())
        made = dict(zip(SENTENCE_ROWS, rows))
        made["q"] = qi
        base = np.array([qi, _ints(shape_all), _ints(rule_all), _ints(conf_all), made["vb"]])
        codes = _codes(base, made, [len(p.tokens) for p in out])
        for p, (lo, hi, _, _, _) in zip(out, spans.tolist()):
            p.codes = codes[:, lo:hi]
            p.after_verb = made["after_verb"][lo:hi]
    return out


# The rows _sentence_rows (and _crf.sentence_codes) make, in their order: the CODED templates
# pv, nv, cl, s, pos and sp, then the nearest speech verb (vb, of which _codes makes "r|v") and
# the index (in its paragraph) of the word after the speech verb before each token, or -1.
SENTENCE_ROWS = ("pv", "nv", "cl", "s", "pos", "sp", "vb", "after_verb")


def _sentence_rows(verb, qi, kind, bounds, spans) -> np.ndarray:
    """The codes made sentence by sentence, in Python (_crf.sentence_codes does the same in C):
    per token, its speech verb (a number, or -1), whether it is quoted, and its kind (1 "that",
    2 ",", 3 ":", else 0); the sentences' token ranges; each paragraph's token range, sentence
    range and flags (2 with quotations, + 1 when it ends in an open one)."""
    n = len(verb)
    # Speech verbs outside quotation marks: per token the previous and next one in its
    # sentence (the verb and a signed distance bucket), the word right after the previous
    # one ('said that', 'told CNN') and the clause between them (a 'that', a comma).
    pv = [0] * n
    after_v = [-1] * n  # the word after the previous verb: "pvn=none" when there is none
    nv = [0] * n
    clause = [0] * n
    in_sent = [0] * n  # how far from the sentence's start and end
    vb = [0] * n  # the nearest speech verb, in or out of quotes: none, or 1 + its bucket
    sent_state = [0] * n
    pos = [3] * n  # "pos=-|3"
    after, before = _AFTER, _BEFORE  # distance buckets: after[k] is _bucket(k)'s code, before[k] _bucket(-k)'s
    state = 0  # "pp=start"
    for first, end, s_lo, s_hi, flags in spans:
        any_verb = False
        for lo, hi in bounds[s_lo:s_hi]:
            m = hi - lo
            sp = _SENT_POS.get(m)
            if sp is None:
                sp = [after[k] * NB + after[m - 1 - k] for k in range(m)]
                if m < 256:
                    _SENT_POS[m] = sp
            in_sent[lo:hi] = sp
            near = [i for i in range(lo, hi) if verb[i] >= 0]
            verbs = [i for i in near if not qi[i]]
            if verbs:
                last, that, comma = None, 0, 0
                for i in range(lo, hi):
                    if last is not None:
                        d = after[i - last]
                        pv[i] = 1 + verb[last] * NB + d
                        if i > last + 1:
                            after_v[i] = last + 1 - first
                        clause[i] = 1 + ((d * 2 + that) * 2 + comma) * 2 + qi[i]
                    if verb[i] >= 0 and not qi[i]:
                        last, that, comma = i, 0, 0
                    elif kind[i] == 1:
                        that = 1
                    elif kind[i] >= 2:
                        comma = 1
                nxt, comma = None, 0
                for i in range(hi - 1, lo - 1, -1):
                    if nxt is not None:
                        nv[i] = 1 + (verb[nxt] * NB + before[nxt - i]) * 2 + comma
                    if verb[i] >= 0 and not qi[i]:
                        nxt, comma = i, 0
                    elif kind[i] == 2:
                        comma = 1
            if near:
                j, last_j = 0, len(near) - 1
                for i in range(lo, hi):
                    while j < last_j and abs(near[j + 1] - i) < abs(near[j] - i):
                        j += 1
                    d = i - near[j]
                    vb[i] = 1 + (after[d] if d >= 0 else before[-d])
            now = 2 * bool(verbs) + (1 in qi[lo:hi])
            sent_state[lo:hi] = [now * len(STATES) + state] * m
            state = PS + now
            any_verb = any_verb or bool(verbs)
            pos[hi - 1] = 2 * 4 + 3  # "pos=EOS|3"
            pos[lo] = 1 * 4 + 3  # "pos=BOS|3"
        for i in range(first, min(first + 3, end)):  # the paragraph's first three tokens say their place, not 3
            pos[i] += i - first - 3
        state = PP + 4 * any_verb + flags
    return np.array([_ints(row) for row in (pv, nv, clause, sent_state, pos, in_sent, vb, after_v)])


def _codes(base: np.ndarray, own: dict, lengths: list[int]) -> np.ndarray:
    """The article's codes in every CODED template (its rows in that order), from the per-token
    values: those coded token by token, and those made here of a token and its neighbours."""
    firsts = np.cumsum([0] + lengths[:-1])
    lasts = firsts + np.array(lengths) - 1

    def before(x, edge):  # each token's previous one in its paragraph, or the edge
        y = np.roll(x, 1)
        y[firsts] = edge
        return y

    def after(x, edge):
        y = np.roll(x, -1)
        y[lasts] = edge
        return y

    qi, shape, rule, conf, vb = base
    qs = qi * len(SHAPES) + shape
    made = {
        "r": rule,
        "r|v": rule * (NB + 1) + vb,
        "rc": conf * len(RULE) + rule,
        "r-1": before(rule, len(RULE)),
        "r1": after(rule, len(RULE)),
        "q-1": before(qs, 2 * len(SHAPES)),
        "q1": after(qs, 2 * len(SHAPES)),
        "qm": (before(shape, len(SHAPES)) * (len(SHAPES) + 1) + after(shape, len(SHAPES))) * 2 + qi,
    }
    return np.array([own[name] if name in own else made[name] for name in CODED])


def _ints(values: list[int]) -> np.ndarray:
    """A list of ints as an array: np.array would first look into every item for its type and shape."""
    return np.fromiter(values, np.intp, len(values))


# The word features: a token's own word (OWN), and the words around it (NEIGHBOURS: how far,
# which feature of that word, what stands past the paragraph's ends).
OWN = (F_W, F_SH, F_S3, F_P3)
NEIGHBOURS = ((-3, F_M3, b"w-3=^"), (-2, F_M2, b"w-2=^"), (-1, F_M1, b"w-1=^"), (1, F_P1, b"w1=$"), (3, F_P3W, b"w3=$"))


def _word_columns(words: list) -> list[list[bytes]]:
    n = len(words)
    cols = [[x[f] for x in words] for f in OWN]
    for k, f, edge in NEIGHBOURS:
        if k < 0:
            cols.append(([edge] * -k + [x[f] for x in words[:n + k]])[:n])
        else:
            cols.append([x[f] for x in words[k:]] + [edge] * min(k, n))
    return cols


_AFTER, _BEFORE = [], []  # a distance's BUCKETS code, forwards and backwards
_BUCKET_ARRAYS = []  # the two as arrays, for _crf.sentence_codes
_SIZES = np.array([NB, len(STATES), PS, PP], dtype=np.intp)  # what _crf.sentence_codes codes with
_SENT_POS = {}  # sentence length: its tokens' 'sp' codes


def _grow(n: int) -> None:
    _AFTER.extend(BUCKETS.index(_bucket(k).encode()) for k in range(len(_AFTER), 2 * n + 64))
    _BEFORE.extend(BUCKETS.index(_bucket(-k).encode()) for k in range(len(_BEFORE), 2 * n + 64))
    _BUCKET_ARRAYS[:] = [_ints(_AFTER), _ints(_BEFORE)]


# --- Gold to tags ---------------------------------------------------------------------------


def _gold_spans(q: dict):
    content = q.get("spans") or [[q["start"], q["end"]]]
    source = q.get("speaker_spans") or ([[q["speaker_start"], q["speaker_end"]]]
                                        if q.get("speaker_start") is not None else [])
    cue = [[q["cue_start"], q["cue_end"]]] if q.get("cue_start") is not None else []
    return content, source, cue


def _tags(para: _Para, quotes: list[dict]) -> list[str]:
    n = len(para.tokens)
    tags = ["O"] * n
    starts = [t[0] for t in para.tokens]
    ends = [t[1] for t in para.tokens]

    def put(s, e, label, override):
        lo = bisect.bisect_right(ends, s)  # first token ending after s
        hi = bisect.bisect_left(starts, e)  # first token starting at or after e
        for i in range(lo, hi):
            if tags[i] == "O" or override:
                tags[i] = ("B-" if i == lo else "I-") + label

    for q in quotes:
        content, _, _ = _gold_spans(q)
        for k, (s, e) in enumerate(sorted(content)):
            if e > para.start and s < para.end:
                lo = bisect.bisect_right(ends, s)
                hi = bisect.bisect_left(starts, e)
                for i in range(lo, hi):
                    if tags[i] == "O":
                        # Fragments of one discontinuous quote stay one quote: only its first opens.
                        tags[i] = "B-Q" if (i == lo and k == 0) else "I-Q"
    for q in quotes:
        _, source, cue = _gold_spans(q)
        for s, e in source:
            if e > para.start and s < para.end:
                put(s, e, "S", True)
        for s, e in cue:
            if e > para.start and s < para.end:
                put(s, e, "C", True)
    return _bilou(tags)


# Tagging a span's last token (L-) and one-token spans (U-) apart from its inner tokens lets
# the CRF learn where quotes end: on polnear_dev, quote F1 0.694 -> 0.706 and precision
# 0.74 -> 0.77 against BIO, for a few percent more time per article (bench_engine).
def _bilou(tags: list[str]) -> list[str]:
    """BIO to BILOU. An I- opening a quote's later fragment stays I- (or L-): a continuation."""
    out = []
    for i, tag in enumerate(tags):
        if tag != "O" and (i + 1 == len(tags) or tags[i + 1] != "I-" + tag[2:]):
            tag = ("U" if tag[0] == "B" else "L") + tag[1:]
        out.append(tag)
    return out


# --- Decoding -------------------------------------------------------------------------------


def _runs(labels: list[str]) -> dict[str, list[tuple[int, int]]]:
    """Token index ranges [i, j) of each label kind (Q, S, C), in one pass over BILOU or BIO
    labels: a B- or U- opens a run, and so does an I- or L- that continues no run of its kind."""
    runs: dict[str, list] = {"Q": [], "S": [], "C": []}
    kind, start = "", 0
    for i, lab in enumerate(labels):
        k = lab[2:]  # "" for O
        if k != kind or lab[0] in "BU":
            if kind:
                runs.setdefault(kind, []).append((start, i))
            kind, start = k, i
    if kind:
        runs.setdefault(kind, []).append((start, len(labels)))
    return runs


def _merge_quotes(runs, labels, toks):
    """Rejoin a quote split by its own attribution ('“A,” he said, “B”'), as gold does with
    discontinuous spans: the gap holds only source, cue and punctuation, and the second part
    does not open a quote of its own."""
    out = []
    for r in runs:
        if out:
            gap = range(out[-1][1], r[0])
            if gap and labels[r[0]][0] in "IL" and all(
                    labels[i][2:] in ("S", "C") or not toks[i][2][0].isalnum() for i in gap):
                out[-1] = (out[-1][0], r[1])
                continue
        out.append(r)
    return out


class _Scorer:
    """A model's state scores for an article's paragraphs (tokens x labels), as crfsuite sums
    them. A word's own features and what it gives its neighbours are the same wherever it
    stands, so their weight rows are looked up once per word (and kept, for the next article):
    a token then costs one lookup and one block of rows for its word features, which are a
    third of its attributes, rather than nine of each."""

    LIMIT = 50000  # words kept: a bound on memory, as for _WORDS

    def __init__(self, crf: CRF):
        self.crf = crf
        self.ids: dict[str, int] = {}
        self.table = np.zeros((1024, 1 + len(NEIGHBOURS), len(crf.labels)))  # own, then each neighbour's
        self.edges = crf.state[crf.rows([edge for _, _, edge in NEIGHBOURS])]
        self.neighbour_at = _ints([k for k, _, _ in NEIGHBOURS])
        # The rows of every CODED string, one template after another: a token's code in the
        # k-th template, plus offsets[k], is its row here.
        self.coded = np.concatenate([crf.state[crf.rows(strings)] for strings in CODED.values()])
        self.offsets = np.cumsum([0] + [len(strings) for strings in CODED.values()])[:-1, None]
        self.need = {lab for lab in crf.labels if lab[2:] in ("Q", "S")}  # decoding reads only their marginals
        self.by_words = _ByWords(crf.index, crf.unknown)
        self.numbers = np.full(len(self.table), -1)  # each word's number in by_words (its lower case's)
        self.lock = threading.Lock()

    def _word_ids(self, paras: list[_Para]) -> np.ndarray:
        with self.lock:  # a worker may share its model between threads
            if len(self.ids) > self.LIMIT:
                self.ids.clear()
            words = [t[2] for p in paras for t in p.tokens]
            ids, new = list(map(self.ids.get, words)), {}
            if None in ids:
                entries = [e for p in paras for e in p.words]
                for k, i in enumerate(ids):
                    if i is None:
                        i = self.ids.get(words[k])  # the same new word earlier in this article
                        if i is None:
                            i = self.ids[words[k]] = len(self.ids)
                            new[i] = entries[k]
                        ids[k] = i
            if new:
                if len(self.ids) > len(self.table):
                    grown = np.zeros((2 * len(self.ids),) + self.table.shape[1:])
                    grown[:len(self.table)] = self.table
                    self.table = grown
                    self.numbers = np.concatenate([self.numbers, np.full(len(grown) - len(self.numbers), -1)])
                at = list(new)
                self.numbers[at] = [self.by_words.number(e[LOWER]) for e in new.values()]
                state, rows = self.crf.state, self.crf.rows
                self.table[at, 0] = sum(state[rows([e[f] for e in new.values()])] for f in OWN)
                for slot, (_, f, _) in enumerate(NEIGHBOURS, 1):
                    self.table[at, slot] = state[rows([e[f] for e in new.values()])]
            return _ints(ids), self.table, self.numbers

    def __call__(self, paras: list[_Para]) -> list[np.ndarray]:
        if not paras:
            return []
        ids, table, numbers = self._word_ids(paras)
        lengths = [len(p.tokens) for p in paras]
        n = len(ids)
        codes = np.concatenate([p.codes for p in paras], axis=1)
        core = self.crf.core
        if core is not None:
            total = np.empty((n, len(self.crf.labels)))
            core.state_scores(table, ids, _ints(lengths), self.neighbour_at, self.edges, self.coded, codes,
                              self.offsets, total)
        else:
            total = self._sums(ids, table, lengths, codes)
        # The STRINGS templates, by their words' numbers: the word after the verb before, the word
        # before and the word ("^" at a paragraph's start), the word and the word after ("$").
        by, state = self.by_words, self.crf.state
        number = numbers[ids]
        firsts = np.cumsum([0] + lengths[:-1])
        lasts = firsts + np.array(lengths) - 1
        local = np.concatenate([p.after_verb for p in paras])
        after_verb = np.where(local >= 0, number[local + np.repeat(firsts, lengths)], by.number("none"))
        total += state.take(by.after_verb[after_verb], axis=0)
        before, after = np.roll(number, 1), np.roll(number, -1)
        before[firsts], after[lasts] = by.number("^"), by.number("$")
        total += state.take(by.pair_rows(0, before, number), axis=0)
        total += state.take(by.pair_rows(1, number, after), axis=0)
        return np.split(total, np.cumsum(lengths)[:-1])

    def _sums(self, ids, table, lengths, codes) -> np.ndarray:
        """The word and template rows' sums, with numpy (_crf.state_scores does the same in C)."""
        n = len(ids)
        blocks = table[ids]
        total = blocks[:, 0].copy()
        para_of = np.repeat(np.arange(len(lengths)), lengths)
        at = np.arange(n)
        for slot, (k, _, _) in enumerate(NEIGHBOURS, 1):
            src = np.clip(at + k, 0, n - 1)
            inside = para_of[src] == para_of
            inside &= (at + k >= 0) & (at + k < n)
            total += np.where(inside[:, None], blocks[src, slot], self.edges[slot - 1])
        total += self.coded[codes + self.offsets].sum(axis=0)
        return total


class _ByWords:
    """The rows of a model's STRINGS attributes by the words that make them, found for a whole
    article with numpy: "pvn=" by its word, "w-1|w=" and "w|w+1=" by their two words. Each word
    these attributes hold has a number (any other word: -1, whose rows are the unknown row), a
    pair of numbers a key. A pair's string is split at each "|" in it (a word can be "|"): every
    split that writes it maps to its row, so a pair finds a row exactly when the string of its
    two words is an attribute, as a lookup of that string would."""

    def __init__(self, index: dict[bytes, int], unknown: int):
        self.numbers: dict[str, int] = {}
        number = self._add
        after_verb, pairs = {}, {b"w-1|w=": {}, b"w|w+1=": {}}
        for attr, row in index.items():
            try:
                if attr.startswith(b"pvn="):
                    after_verb[number(attr[4:].decode())] = row
                    continue
                head = attr[:attr.index(b"=") + 1] if b"=" in attr else b""
                if head in pairs:
                    rest = attr[len(head):]
                    for at in (k for k, c in enumerate(rest) if c == 0x7C):  # "|"
                        pairs[head][(number(rest[:at].decode()), number(rest[at + 1:].decode()))] = row
            except UnicodeDecodeError:  # not made by _paragraphs, so never looked for
                continue
        size = self.size = len(self.numbers)
        self.after_verb = np.full(size + 1, unknown)  # by number; the last, for -1, is unknown
        self.after_verb[list(after_verb)] = list(after_verb.values())
        self.keys, self.rows = [], []
        for found in pairs.values():  # sorted keys, and a last one above all with the unknown row
            keys = np.array([a * size + b for a, b in found] + [size * size + 1], dtype=np.int64)
            order = np.argsort(keys)
            self.keys.append(keys[order])
            self.rows.append(np.array(list(found.values()) + [unknown], dtype=np.intp)[order])

    def _add(self, word: str) -> int:
        return self.numbers.setdefault(word, len(self.numbers))

    def number(self, word: str) -> int:
        return self.numbers.get(word, -1)

    def pair_rows(self, which: int, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """The rows of pairs of words (by number) in the "w-1|w=" (0) or "w|w+1=" (1) template."""
        keys = self.keys[which]
        code = np.where((first >= 0) & (second >= 0), first * self.size + second, -1)
        at = np.minimum(np.searchsorted(keys, code), len(keys) - 1)
        return np.where(keys[at] == code, self.rows[which][at], self.rows[which][-1])


def _open(data: bytes, what: str) -> CRF:
    try:
        return CRF(data)
    except ValueError as exc:
        raise ModelError(f"the {what} cannot be read: {exc}") from None


def _classifier(crf: bytes, where: str) -> stances.Classifier:
    try:
        return stances.Classifier(crf)
    except Exception as exc:  # crfsuite raises a bare ValueError/IOError
        raise ModelError(f"the endorsement classifier in {where} cannot be read: {exc}") from None


@dataclass
class Model:
    crf: bytes
    calibration: Calibration
    meta: dict
    # The endorsement classifier, when the model was trained on endorsements.
    stance: bytes | None = None
    stance_calibration: Calibration | None = None
    _tagger: CRF | None = field(default=None, repr=False)
    _scorer: _Scorer | None = field(default=None, repr=False)
    _stance_classifier: stances.Classifier | None = field(default=None, repr=False)

    @property
    def version(self) -> str:
        return self.meta["version"]

    def tagger(self) -> CRF:
        if self._tagger is None:
            self._tagger = _open(self.crf, f"CRF in model {self.meta.get('version')!r}")
            self._scorer = _Scorer(self._tagger)
        return self._tagger

    def stance_classifier(self) -> stances.Classifier | None:
        if self.stance is not None and self._stance_classifier is None:
            self._stance_classifier = _classifier(self.stance, f"model {self.meta.get('version')!r}")
        return self._stance_classifier

    # The raw score of a quote: the mean marginal of its tags, times the best marginal of the
    # source span it is linked to, or a fixed discount when its speaker is borrowed (0.6) or
    # missing (0.3). The calibration turns these scores into probabilities.
    def _raw(self, text: str, rules: Suggestions | None = None) -> tuple[Suggestions, list[float]]:
        rules = rules or engine.suggest(text)
        tagger = self.tagger()
        quotes, raws = [], []
        by_rule_mention = {(q.speaker_start, q.speaker_end): q.speaker for q in rules.quotes if q.speaker}
        paras = _paragraphs(text, rules, tagger.core)
        for para, (tagged, marginals) in zip(paras, tagger.tag(self._scorer(paras), need=self._scorer.need)):
            if marginals is None:  # tagged with no quote and no source: nothing to decode
                continue
            toks = para.tokens
            runs = _runs(tagged)
            content = _merge_quotes(runs["Q"], tagged, toks)
            sources, cues = runs["S"], runs["C"]
            for i, j in content:
                start, end = engine._trim(text, toks[i][0], toks[j - 1][1])
                if end - start < 8 or len(text[start:end].split()) < 2:
                    continue
                score = float(marginals[i:j].sum()) / (j - i)  # the mean, without np.mean's overhead
                src = _source(sources, i, j, para.sent_of)
                cue = _nearest(cues, i, j)
                speaker = s_start = s_end = None
                if src is not None and not para.sent_of[i] <= para.sent_of[src[0]] <= para.sent_of[j - 1] \
                        and _rule_speaker(rules, start, end):
                    src = None  # a source only elsewhere in the paragraph: the rules' speaker, if any, first
                if src is not None:
                    s_start, s_end = toks[src[0]][0], toks[src[1] - 1][1]
                    speaker = _speaker(text[s_start:s_end], s_start, s_end, by_rule_mention)
                    score *= float(marginals[src[0]:src[1]].max())
                else:
                    # No source tagged in the paragraph: the rules' speaker for this span, else
                    # the last quote's (a quotation going on over paragraphs), else none.
                    took = _rule_speaker(rules, start, end) or (
                        _continued(quotes[-1], start) if quotes else None)
                    if took is not None:
                        speaker, s_start, s_end = took
                        score *= 0.6
                    else:
                        score *= 0.3
                speaker = _in_full(speaker, text)
                c_start = c_end = None
                if cue is not None:
                    c_start, c_end = toks[cue[0]][0], toks[cue[1] - 1][1]
                quotes.append(QuoteSuggestion(
                    start=start, end=end, text=text[start:end],
                    kind=_kind(para.marks, start, end), confidence=0.0, speaker=speaker,
                    speaker_start=s_start, speaker_end=s_end,
                    cue=text[c_start:c_end] if cue else "", cue_start=c_start, cue_end=c_end))
                raws.append(score)
        return Suggestions(engine_version=self.version, quotes=quotes, endorsements=rules.endorsements), raws

    def suggest(self, text: str) -> Suggestions:
        rules = engine.suggest(text)
        if self.meta.get("counts", {}).get("fit_quotes") == 0:
            # Trained on endorsements alone (editors who annotate only those): its tagger learned
            # that nothing is a quote, so the rules suggest the quotes.
            result = Suggestions(engine_version=self.version, quotes=rules.quotes, endorsements=rules.endorsements)
        else:
            result, raws = self._raw(text, rules)
            floor = self.meta.get("min_confidence", 0.0)
            result.quotes = [QuoteSuggestion(**{**q.__dict__, "confidence": c})
                             for q, c in ((q, round(self.calibration(r), 3)) for q, r in zip(result.quotes, raws))
                             if c >= floor]
        if self.stance is not None:
            result.endorsements = stances.suggestions(
                text, self.stance_classifier(), self.stance_calibration, self.meta["stance"]["min_confidence"], rules)
        return result

    # --- the file ---

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            sums = {"crf_sha256": hashlib.sha256(self.crf).hexdigest()}
            if self.stance is not None:
                sums["stance_sha256"] = hashlib.sha256(self.stance).hexdigest()
            zf.writestr("meta.json", json.dumps({"format": FORMAT, **self.meta, **sums}, indent=1))
            zf.writestr("calibration.json", json.dumps({"xs": self.calibration.xs, "ys": self.calibration.ys}))
            zf.writestr("model.crfsuite", self.crf)
            if self.stance is not None:
                cal = self.stance_calibration
                zf.writestr("stance_calibration.json", json.dumps({"xs": cal.xs, "ys": cal.ys}))
                zf.writestr("stance.crfsuite", self.stance)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes, name: str = "model") -> "Model":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                meta = json.loads(zf.read("meta.json"))
                cal = json.loads(zf.read("calibration.json"))
                crf = zf.read("model.crfsuite")
                names = set(zf.namelist())
                stance = zf.read("stance.crfsuite") if "stance.crfsuite" in names else None
                stance_cal = json.loads(zf.read("stance_calibration.json")) if stance is not None else None
        except (zipfile.BadZipFile, KeyError, ValueError, EOFError, OSError) as exc:
            raise ModelError(f"{name} is not a readable suggestion model ({exc})") from None
        if not isinstance(meta, dict) or meta.get("format") not in READS:
            raise ModelError(f"{name}: model format {meta.get('format') if isinstance(meta, dict) else '?'}"
                             f", this code reads formats {', '.join(map(str, READS))}")
        _check_meta(meta, name)
        if hashlib.sha256(crf).hexdigest() != meta.get("crf_sha256"):
            raise ModelError(f"{name}: the CRF bytes do not match their checksum (corrupt file)")
        if stance is not None and (hashlib.sha256(stance).hexdigest() != meta.get("stance_sha256")
                                   or not isinstance(meta.get("stance"), dict)):
            raise ModelError(f"{name}: the endorsement classifier does not match its checksum (corrupt file)")
        model = cls(crf, _calibration(cal, name), meta, stance,
                    _calibration(stance_cal, name) if stance is not None else None)
        model.tagger()  # fail now, not on the first article
        model.stance_classifier()
        return model

    def save(self, path) -> None:
        tmp = f"{path}.tmp{os.getpid()}"
        with open(tmp, "wb") as fh:
            fh.write(self.to_bytes())
        os.replace(tmp, path)


def _check_meta(meta: dict, name: str) -> None:
    """The metadata suggesting reads: checked when a model is read, so that a bad one is a
    ModelError (and the rules suggest) rather than a failure on every article."""
    def number(value) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1

    if not isinstance(meta.get("version"), str) or not meta["version"].strip():
        raise ModelError(f"{name}: meta.json has no version")
    if not number(meta.get("min_confidence", 0.0)):
        raise ModelError(f"{name}: meta.json min_confidence is not a number from 0 to 1")
    stance = meta.get("stance")
    if stance is not None and not (isinstance(stance, dict) and number(stance.get("min_confidence"))):
        raise ModelError(f"{name}: meta.json stance.min_confidence is not a number from 0 to 1")


def _calibration(data, name: str) -> Calibration:
    try:
        calibration = Calibration([float(x) for x in data["xs"]], [float(y) for y in data["ys"]])
        if not calibration.xs or len(calibration.xs) != len(calibration.ys):
            raise ValueError("empty or uneven breakpoints")
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{name}: bad calibration ({exc})") from None
    return calibration


def load(path) -> Model:
    """Read a model file; a missing or corrupt one raises ModelError with the reason."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise ModelError(f"cannot read model {path}: {exc.strerror or exc}") from None
    return Model.from_bytes(data, name=str(path))


def suggester(path=None):
    """The suggest function to use: the model's, or the rules' when no model is given or the
    model cannot be read (logged as a warning; suggestions go on with the rules)."""
    if path is None:
        return engine.suggest
    try:
        return load(path).suggest
    except ModelError as exc:
        log.warning("falling back to the rules (%s): %s", engine.ENGINE_VERSION, exc)
        return engine.suggest


def _rule_speaker(rules: Suggestions, start: int, end: int):
    for q in rules.quotes:
        if q.speaker_start is not None and q.start < end and start < q.end:
            overlap = min(q.end, end) - max(q.start, start)
            if overlap >= 0.5 * min(end - start, q.end - q.start):
                return q.speaker, q.speaker_start, q.speaker_end
    return None


def _continued(previous: QuoteSuggestion, start: int):
    if previous.speaker is not None and previous.speaker_start is not None and start - previous.end < 600:
        return previous.speaker, previous.speaker_start, previous.speaker_end
    return None


def _nearest(spans, i, j):
    best, dist = None, None
    for s, e in spans:
        d = s - j if s >= j else i - e if e <= i else 0
        if dist is None or d < dist:
            best, dist = (s, e), d
    return best


def _source(spans, i, j, sent_of):
    """The source for the quote at tokens [i, j): the nearest one in the quote's own sentences,
    else the nearest in the paragraph."""
    lo, hi = sent_of[i], sent_of[j - 1]
    same = [(s, e) for s, e in spans if lo <= sent_of[s] <= hi or lo <= sent_of[e - 1] <= hi]
    return _nearest(same or spans, i, j)


def _speaker(name: str, start: int, end: int, by_rule_mention: dict) -> Speaker:
    for (s, e), sp in by_rule_mention.items():
        if s is not None and s < end and start < e:
            return sp
    # A tagged source keeps an appositive's comma ("McCabe, a former official,"); the name does not.
    name = name.rstrip(" ,;:(–—-\u00a0") or name
    generic = name.lower() in PRONOUNS or not any(w[:1].isupper() for w in name.split())
    return Speaker(name=name, generic=generic)


def _in_full(speaker: Speaker | None, text: str) -> Speaker | None:
    """"Okafor said ..." is the Sam Okafor the article named before: one speaker, not two."""
    if speaker is None or speaker.generic or " " in speaker.name:
        return speaker
    full = stances.full_names(text).get(speaker.name.lower())
    return replace(speaker, name=full, aliases=tuple(sorted({*speaker.aliases, speaker.name}))) if full else speaker


def _kind(marks, start, end):
    quoted = sum(max(0, min(q.end, end) - max(q.start, start)) for q in marks)
    if quoted >= (end - start) * 0.9:
        return "direct"
    return "mixed" if quoted else "indirect"


# --- Training -------------------------------------------------------------------------------


def _sequences(docs):
    """Feature and tag sequences, paragraph by paragraph. In an article editors have not
    finished ("partial"), only the paragraphs where they rejected a suggestion and left none
    open teach anything: there the accepted quotes are quotes and the rest is not."""
    for doc in docs:
        text = doc["text"]
        rules = engine.suggest(text)
        for para in _paragraphs(text, rules, COMPILED):
            if doc.get("partial") and not (
                    _touches(para, doc.get("rejected_quotes")) and not _touches(para, doc.get("open_quotes"))):
                continue
            yield para.features, _tags(para, doc.get("quotes", []))


def _touches(para: _Para, spans) -> bool:
    return any(s < para.end and para.start < e for s, e in spans or ())


def _split(docs: list[dict], holdout: float, seed: int) -> tuple[list[dict], list[dict]]:
    """(fit, held out): a seeded shuffle; articles editors have not finished are never held out."""
    whole = [d for d in docs if not d.get("partial")]
    order = list(range(len(whole)))
    random.Random(seed).shuffle(order)
    n_held = max(1, round(len(whole) * holdout)) if len(whole) > 1 else 0
    held = [whole[i] for i in order[:n_held]]
    fit = [whole[i] for i in order[n_held:]] + [d for d in docs if d.get("partial")]
    return fit or held, held


# c1, the L1 weight: 1.0 rather than 0.5 gives smaller models that do better (bench_learned on
# polnear: held-out attribution F1 0.554 -> 0.564, dev quote / attribution F1 0.701 / 0.609 ->
# 0.706 / 0.617; trained on 25 articles, 0.559 / 0.490 -> 0.621 / 0.516).
def _version(when, crf: bytes, stance: bytes | None = None) -> str:
    """crf-MINUTE-DIGEST: when it was trained, and a digest of all it suggests with."""
    return f"crf-{time.strftime('%Y%m%d%H%M', when)}-{hashlib.sha256(crf + (stance or b'')).hexdigest()[:8]}"


def train(docs: list[dict], *, endorsements: list[dict] | None = None, sources: list[str] | None = None,
          holdout: float = 0.15, seed: int = 7, c1: float = 1.0, c2: float = 0.01,
          max_iterations: int = 200) -> Model:
    """Fit the CRF on most articles and the calibration on a held-out slice of them; the
    held-out scores go in the metadata. Articles annotated for stances (the docs' own, or the
    `endorsements` files') train the endorsement classifier the same way: one with a "stances"
    list, even an empty one (a gold file's article with none, an article editors marked done),
    says of every pair it names that was not listed that it is none."""
    docs = [d for d in docs if isinstance(d.get("text"), str)]
    stance_docs = [d for d in docs + list(endorsements or []) if isinstance(d.get("text"), str)
                   and (isinstance(d.get("stances"), list) or d.get("rejected_stances"))]
    docs = [d for d in docs if isinstance(d.get("quotes"), list)]
    if not docs:
        raise ValueError("no articles with quotes to train on")
    fit, held = _split(docs, holdout, seed)
    nothing = (f"the {len(fit)} articles to fit hold no quotes (and no stances to learn from): a model "
               "trained on them would suggest nothing")
    if not any(d["quotes"] for d in fit) and not any(d.get("stances") for d in stance_docs):
        # It would learn that nothing is a quote, and suggest none anywhere it were activated.
        raise ValueError(nothing)
    began = time.perf_counter()
    trainer = pycrfsuite.Trainer(verbose=False)
    n_tokens = 0
    for xseq, yseq in _sequences(fit):
        trainer.append(xseq, yseq)
        n_tokens += len(yseq)
    trainer.set_params({"c1": c1, "c2": c2, "max_iterations": max_iterations,
                        "feature.possible_transitions": True})
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.crfsuite")
        trainer.train(path)
        with open(path, "rb") as fh:
            crf = fh.read()
    now = time.gmtime()
    meta = {
        "version": _version(now, crf), "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", now), "sources": sources or [],
        "counts": {"articles": len(docs), "fit_articles": len(fit), "heldout_articles": len(held),
                   "fit_quotes": sum(len(d.get("quotes", [])) for d in fit), "fit_tokens": n_tokens},
        "params": {"c1": c1, "c2": c2, "max_iterations": max_iterations, "holdout": holdout, "seed": seed},
    }
    model = Model(crf, Calibration([0.0, 1.0], [0.0, 1.0]), meta)
    # Calibrate: a suggestion is right when its span matches a gold quote at IoU 0.5.
    scores, outcomes, raw_held = [], [], [model._raw(doc["text"]) for doc in held]
    for k, (doc, (result, raws)) in enumerate(zip(held, raw_held)):
        hits = {pi for _, pi in match(doc.get("quotes", []), record(str(k), result)["quotes"], 0.5)}
        scores.extend(raws)
        outcomes.extend(int(pi in hits) for pi in range(len(raws)))
    model.calibration = Calibration.fit(scores, outcomes)
    meta["min_confidence"] = best_floor([model.calibration(x) for x in scores], outcomes,
                                         sum(len(d.get("quotes", [])) for d in held))
    if held:
        floor = meta["min_confidence"]
        pred_docs = {  # the stored scores are those of the model as it will run
            str(k): record(str(k), Suggestions(result.engine_version, [
                q for q, r in zip(result.quotes, raws) if model.calibration(r) >= floor]))
            for k, (result, raws) in enumerate(raw_held)}
        q = evaluate_quotes({str(k): d for k, d in enumerate(held)}, pred_docs)
        meta["heldout"] = {"articles": len(held), "quote_f1@0.5": q["quote@0.5"]["f1"],
                           "attribution_f1@0.5": q["attribution@0.5"]["f1"]}
    _train_stances(model, stance_docs, seed=seed)
    if not meta["counts"]["fit_quotes"] and model.stance is None:  # too few stances for a classifier
        raise ValueError(nothing)
    meta["version"] = _version(now, crf, model.stance)  # two models that suggest differently, two versions
    meta["train_seconds"] = round(time.perf_counter() - began, 1)
    model._tagger = model._scorer = None
    return model


MIN_STANCE_ARTICLES = 4
# The out-of-fold F1 of endorsements is flat over a range of floors, and where its maximum falls
# in that range moved with small changes elsewhere. The lowest floor within 0.002 of the best is
# kept: the classifier kept, trained on every article, is stronger than the fold classifiers
# whose scores set the floor, so at equal out-of-fold F1 keeping more does better on unseen
# articles (bench_learned, SEESAW valid F1: 0.220 with the argmax, 0.244 with this).
STANCE_FLOOR_SLACK = 0.002


def _train_stances(model: Model, docs: list[dict], *, seed: int, folds: int = 4) -> None:
    """The endorsement classifier, calibrated by cross-fitting: each fold's articles are scored
    by a classifier trained without them, the calibration and floor are fitted on all those
    scores, and the classifier kept is trained on every article. With too few articles that
    have stances the model leaves endorsements to the rules."""
    whole = [d for d in docs if not d.get("partial")]
    if sum(bool(d.get("stances")) for d in whole) < MIN_STANCE_ARTICLES:
        return  # too few stances to learn from (a newsroom that only marks quotes has none)
    random.Random(seed).shuffle(whole)
    partial = [d for d in docs if d.get("partial")]
    cands = {id(d): stances.candidates(d["text"]) for d in docs}  # once: each is used in every fold

    def pairs(articles):
        return (p for d in articles for p in stances.examples(d, cands[id(d)]))

    folds = min(folds, len(whole))
    scores, outcomes, n_gold = [], [], 0
    for k in range(folds):
        crf = stances.fit_crf(pairs([d for i, d in enumerate(whole) if i % folds != k] + partial))
        if crf is None:
            return
        classifier = _classifier(crf, "training")
        for doc in whole[k::folds]:
            ranked = stances.scored(cands[id(doc)], classifier)
            gold = stances.gold_stances(doc)
            scores += [r for r, _, _ in ranked]
            outcomes += stances.outcomes(ranked, gold)
            n_gold += len(gold)
    calibration = Calibration.fit(scores, outcomes)
    confidences = [calibration(x) for x in scores]
    floor = best_floor(confidences, outcomes, n_gold, slack=STANCE_FLOOR_SLACK)
    # The out-of-fold score of the classifier as it will run: above the floor only.
    kept = [ok for c, ok in zip(confidences, outcomes) if c >= floor]
    f1 = 2 * sum(kept) / (len(kept) + n_gold) if kept or n_gold else 0.0
    model.stance, model.stance_calibration = stances.fit_crf(pairs(docs)), calibration
    model.meta["stance"] = {
        "min_confidence": floor,
        "counts": {"articles": len(docs), "partial_articles": len(partial), "folds": folds},
        "heldout": {"articles": len(whole), "endorsement_f1": round(f1, 4), "gold": n_gold, "predicted": len(kept)},
    }
