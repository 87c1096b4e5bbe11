"""Re-anchoring: where a span of the old text is in the new text, or that it is gone.

Pure Python, no ORM. As Hypothesis does for web pages: first map the span's offsets through
a diff of the two texts (the common case, an edit elsewhere, keeps the words and shifts
them); where the words themselves changed, look for the quote selector (exact text, with its
prefix and suffix to choose among repeats, the mapped position as a hint); then accept a
close fuzzy match around the hint; otherwise the span is orphaned and keeps its last text.
"""

import difflib
import re
from bisect import bisect_right
from dataclasses import dataclass

FUZZY_MIN_RATIO = 0.75  # how alike the old words and the words found must be for a fuzzy place
MIN_CONTEXT = 8  # the least context a repeat of short words must share to be their place (else half)

UNCHANGED, SHIFTED, FUZZY, ORPHANED, RESTORED = "unchanged", "shifted", "fuzzy", "orphaned", "restored"


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    exact: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class Placement:
    method: str
    start: int | None = None
    end: int | None = None

    @property
    def placed(self) -> bool:
        return self.method != ORPHANED


class Diff:
    """The stretches two texts share, as (old start, new start, length), in order.

    Lines first, then sentences inside the lines that changed, words inside the sentences that
    changed, then characters inside the words that changed: what a diff of characters finds
    where edits are local, in a fraction of the time (a diff of 12,000 characters at once takes
    seconds in Python; a body of 40,000 words on one line, diffed word by word, 15 s).
    """

    CHAR_DIFF_MAX = 400  # characters on a side; longer changed runs share nothing by this diff

    def __init__(self, old: str, new: str):
        self.old, self.new = old, new
        self.blocks: list[tuple[int, int, int]] = []
        self._match(_LINE.findall(old), _LINE.findall(new), 0, 0, 1)
        self._old_starts = [b[0] for b in self.blocks]

    def _match(self, a: list[str], b: list[str], a0: int, b0: int, finer: int) -> None:
        """Shared runs of the token lists a and b (starting at a0 and b0 in the texts); changed
        runs again with the tokens of _LEVELS[finer], down to characters."""
        a_at, b_at = _starts(a, a0), _starts(b, b0)
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                self._add(a_at[i1], b_at[j1], a_at[i2] - a_at[i1])
            elif tag == "replace":
                a_text, b_text = "".join(a[i1:i2]), "".join(b[j1:j2])
                if finer < len(_LEVELS):
                    level = _LEVELS[finer]
                    self._match(level.findall(a_text), level.findall(b_text), a_at[i1], b_at[j1], finer + 1)
                elif max(len(a_text), len(b_text)) <= self.CHAR_DIFF_MAX:
                    chars = difflib.SequenceMatcher(None, a_text, b_text, autojunk=False)
                    for i, j, size in chars.get_matching_blocks():
                        self._add(a_at[i1] + i, b_at[j1] + j, size)

    def _add(self, i: int, j: int, size: int) -> None:
        last = self.blocks[-1] if self.blocks else None
        if last and last[0] + last[2] == i and last[1] + last[2] == j:
            self.blocks[-1] = (last[0], last[1], last[2] + size)
        elif size:
            self.blocks.append((i, j, size))

    def kept(self, start: int, end: int) -> tuple[int, int] | None:
        """The new offsets of old[start:end] when that text survived as one piece."""
        k = bisect_right(self._old_starts, start) - 1
        if k < 0:
            return None
        i, j, size = self.blocks[k]
        if start >= i and end <= i + size:
            return j + start - i, j + end - i
        return None

    def near(self, position: int) -> int:
        """Where an old position lands in the new text, approximately when its text changed."""
        k = bisect_right(self._old_starts, position) - 1
        if k < 0:
            return 0
        i, j, size = self.blocks[k]
        return j + min(position - i, size)


_LINE = re.compile(r"[^\n]*\n|[^\n]+")
# A word with the spaces after it: half the tokens of words and spaces apart, and no token
# (a lone space) so common that matching slows to a crawl.
_WORD = re.compile(r"\w+\s*|[^\w\s]\s*|\s+")
_CHAR = re.compile(r".", re.S)
# A sentence with its closing marks and the spaces after it, or a line's rest without an end.
_SENTENCE = re.compile(r"[^.!?]*[.!?]+[\"'”’)\]]*\s*|[^.!?]+")
_LEVELS = (_LINE, _SENTENCE, _WORD, _CHAR)  # each finer than the one before; the first splits whole texts


def _starts(tokens: list[str], offset: int = 0) -> list[int]:
    at = [offset]
    for token in tokens:
        at.append(at[-1] + len(token))
    return at


def reanchor(old: str, new: str, anchors: list[Anchor], diff: Diff | None = None) -> list[Placement]:
    """A placement in `new` for each anchor of `old`, in order."""
    if old == new:
        return [Placement(UNCHANGED, a.start, a.end) for a in anchors]
    diff = diff or Diff(old, new)
    return [_place(diff, a) for a in anchors]


def restore(new: str, anchor: Anchor) -> Placement:
    """An orphan's place in a later text: only where its words stand again with the whole of
    their stored context (a text put back brings its annotations back; the words repeated
    elsewhere do not), nearest its last place."""
    if not anchor.exact.strip() or not (anchor.prefix or anchor.suffix):
        return Placement(ORPHANED)
    whole = anchor.prefix + anchor.exact + anchor.suffix
    best, at = None, new.find(whole)
    while at != -1:
        start = at + len(anchor.prefix)
        if best is None or abs(start - anchor.start) < abs(best - anchor.start):
            best = start
        at = new.find(whole, at + 1)
    return Placement(ORPHANED) if best is None else Placement(RESTORED, best, best + len(anchor.exact))


def _place(diff: Diff, anchor: Anchor) -> Placement:
    new = diff.new
    kept = diff.kept(anchor.start, anchor.end)
    if kept and new[kept[0]:kept[1]] == anchor.exact:
        return Placement(UNCHANGED if kept[0] == anchor.start else SHIFTED, *kept)
    hint = diff.near(anchor.start)
    found = _by_selector(new, anchor, hint)
    if found is not None:
        return Placement(SHIFTED, found, found + len(anchor.exact))
    return _fuzzy(diff, anchor, hint)


def _by_selector(new: str, anchor: Anchor, hint: int) -> int | None:
    """The occurrence of the exact text whose context matches best, nearest the hint."""
    best, best_key = None, None
    at = new.find(anchor.exact)
    while at != -1:
        before = new[max(0, at - len(anchor.prefix)):at]
        after = new[at + len(anchor.exact):at + len(anchor.exact) + len(anchor.suffix)]
        context = _common_suffix(before, anchor.prefix) + _common_prefix(after, anchor.suffix)
        key = (-context, abs(at - hint))
        if best_key is None or key < best_key:
            best, best_key = at, key
        at = new.find(anchor.exact, at + 1)
    if best is None:
        return None
    # Words moved with their paragraph bring their context within it along. A repeat of short
    # words elsewhere shares a little by chance ("the " before, " spokesperson" after): it
    # must share at least half of the context the words had in their own paragraph.
    stored = len(anchor.prefix) + len(anchor.suffix)
    own = len(anchor.prefix.rsplit("\n", 1)[-1]) + len(anchor.suffix.split("\n", 1)[0])
    if stored and -best_key[0] < min(stored, max(MIN_CONTEXT, own // 2)) and len(anchor.exact) < 40:
        return None
    return best


def _fuzzy(diff: Diff, anchor: Anchor, hint: int) -> Placement:
    """The span between where the old start and end land, if its words are close enough."""
    new = diff.new
    start, end = hint, diff.near(anchor.end)
    if end <= start:
        return Placement(ORPHANED)
    candidate = new[start:end]
    if similarity(anchor.exact, candidate) >= FUZZY_MIN_RATIO and candidate.strip():
        return Placement(FUZZY, start, end)
    return Placement(ORPHANED)


def similarity(a: str, b: str) -> float:
    """How alike two texts are, 0 to 1. difflib's ratio depends on the order of its two texts
    (0.769 one way, 0.744 the other for one edit seen): the lower, so that a fuzzy place is
    close enough whichever text is read first."""
    return min(difflib.SequenceMatcher(None, a, b, autojunk=False).ratio(),
               difflib.SequenceMatcher(None, b, a, autojunk=False).ratio())


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])
