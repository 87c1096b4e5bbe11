"""A linear-chain CRF read straight out of crfsuite's model bytes, and tagged with numpy.

crfsuite trains the models. For tagging, crfsuite must be handed every feature string of
every token (about 25,000 an article); here a token's state scores are a sum of weight rows,
so a caller can sum the rows of what repeats (a word's features) once, and all of an
article's paragraphs go through Viterbi and forward-backward together. The result is
crfsuite's: the same best labels (ties go to the first label, as there) and the same marginals.

The model format (crfsuite's crf1d_model.c, little-endian): a 48-byte header with the
offsets of the features chunk and of the label and attribute string tables (CQDB chunks,
whose records of id, size and NUL-ended string follow a 2,072-byte header).
"""

import struct
from itertools import repeat

import numpy as np

try:  # the recurrences in C, when the project was installed with a compiler (_crf.c)
    from annotations.suggest import _crf
except ImportError:  # pragma: no cover - depends on the install
    _crf = None
COMPILED = _crf  # the C part, or None when it was not built

_HEADER = struct.Struct("<4sI4sIIIIIIIII")
_FEATURE = struct.Struct("<IIId")
_CQDB_DATA = 24 + 256 * 8  # the CQDB header and its 256 hash table references
STATE, TRANSITION = 0, 1


def _strings(buf: bytes, offset: int) -> dict[int, bytes]:
    """A CQDB chunk's records: id -> string."""
    if buf[offset:offset + 4] != b"CQDB":
        raise ValueError("not a crfsuite string table")
    refs = struct.unpack_from("<512I", buf, offset + 24)
    count = sum(refs[1::2]) // 2  # each hash table is twice as large as its records
    out, pos = {}, offset + _CQDB_DATA
    for _ in range(count):
        ident, size = struct.unpack_from("<iI", buf, pos)
        out[ident] = buf[pos + 8:pos + 8 + size - 1]
        pos += 8 + size
    return out


class CRF:
    """The weights of a crfsuite model: `labels`, a row of state weights per attribute (the
    last row, all zeros, for attributes the model does not know) and the transitions."""

    def __init__(self, data: bytes):
        """Any damage to the bytes is a ValueError that says so."""
        try:
            self._read(data)
        except (struct.error, KeyError, IndexError, UnicodeDecodeError) as exc:
            raise ValueError(f"a damaged crfsuite model ({type(exc).__name__}: {exc})") from None

    def _read(self, data: bytes) -> None:
        magic, size, kind, _, n_features, n_labels, n_attrs, off_feat, off_labels, off_attrs, _, _ = \
            _HEADER.unpack_from(data, 0)
        if magic != b"lCRF" or kind != b"FOMC" or data[off_feat:off_feat + 4] != b"FEAT":
            raise ValueError("not a crfsuite model")
        if size != len(data):
            raise ValueError(f"a crfsuite model of {size} bytes cut to {len(data)}")
        if max(n_labels, n_attrs) * 9 > size:  # each takes 9 bytes or more in its string table
            raise ValueError("a crfsuite model with more labels or attributes than bytes")
        labels = _strings(data, off_labels)
        attrs = _strings(data, off_attrs)
        self.labels = [labels[i].decode() for i in range(n_labels)]
        self.index = {attrs[i]: i for i in range(n_attrs)}  # attribute -> row
        self.unknown = n_attrs
        self.state = np.zeros((n_attrs + 1, n_labels))
        self.transition = np.zeros((n_labels, n_labels))
        (count,) = struct.unpack_from("<I", data, off_feat + 8)
        for kind, src, dst, weight in _FEATURE.iter_unpack(data[off_feat + 12:off_feat + 12 + 20 * count]):
            (self.state if kind == STATE else self.transition)[src, dst] = weight
        self._exp_transition = np.exp(self.transition)
        # One step multiplies a row's sum by at most n_labels * e^max|weight|, and by at least
        # its inverse (the best label's state factor is 1): rescaling every k steps with
        # k * log(that) < 600 keeps every sum within float64.
        worst = np.log(max(n_labels, 2)) + float(np.abs(self.transition).max(initial=0.0))
        self._rescale_every = max(1, min(16, int(600 // worst)))
        self.compiled = True  # use _crf when it is there (tests turn it off to compare)

    @property
    def core(self):
        """The C part (_crf.c) for this model's work when it was built and is not turned off, else None."""
        return _crf if self.compiled else None

    def rows(self, strings) -> np.ndarray:
        """The rows of some attribute strings (bytes; any iterable), unknown ones at the zero row."""
        return np.fromiter(map(self.index.get, strings, repeat(self.unknown)), np.intp)

    def tag(self, scores: list[np.ndarray], need=None) -> list[tuple[list[str], np.ndarray | None]]:
        """Each sequence's best labels and their marginal probabilities, from its state scores
        (an array of tokens x labels; a token's are the sum of its attributes' rows). With
        `need` (some labels), only sequences whose best labels include one get marginals; the
        others get None."""
        if not scores:
            return []
        if self.core is not None:
            return [self._tag_one(s, need) for s in scores]
        order = sorted(range(len(scores)), key=lambda k: -len(scores[k]))
        lengths = np.array([len(scores[k]) for k in order])
        grid = np.zeros((int(lengths[0]), len(order), len(self.labels)))
        for col, k in enumerate(order):
            grid[:len(scores[k]), col] = scores[k]
        paths = self._viterbi(grid, lengths, _active(lengths))
        labels = [[self.labels[y] for y in paths[:lengths[col], col]] for col in range(len(order))]
        cols = [col for col, seq in enumerate(labels) if need is None or not need.isdisjoint(seq)]
        out = [(seq, None) for seq in labels]
        if cols:  # still the longest first
            marginals = self._marginals(grid[:lengths[cols[0]], cols], _active(lengths[cols]))
            for sub, col in enumerate(cols):
                n = lengths[col]
                out[col] = (labels[col], marginals[np.arange(n), sub, paths[:n, col]])
        back_in_order = [None] * len(scores)
        for col, k in enumerate(order):
            back_in_order[k] = out[col]
        return back_in_order

    def _tag_one(self, scores: np.ndarray, need) -> tuple[list[str], np.ndarray | None]:
        """One sequence, by the compiled recurrences."""
        scores = np.ascontiguousarray(scores, dtype=np.float64)
        path = np.empty(len(scores), dtype=np.intp)
        _crf.viterbi(scores, self.transition, path)
        labels = [self.labels[y] for y in path.tolist()]
        if need is not None and need.isdisjoint(labels):
            return labels, None
        out = np.empty(len(scores))
        _crf.marginals(scores, self._exp_transition, self._rescale_every, path, out)
        return labels, out

    def _viterbi(self, grid, lengths, active) -> np.ndarray:
        """The best paths. The forward pass keeps each step's best scores only; walking back,
        a step's best previous label is found again from them, for the one label the path
        takes there (the first of equal scores, as crfsuite): fewer array operations a step
        than keeping every label's best previous one."""
        steps, width, _ = grid.shape
        trans = self.transition  # [from, to]: the reduction runs over the outer axis, the fast way
        best = np.empty_like(grid)
        best[0] = grid[0]
        for t in range(1, steps):
            m = active[t]
            best[t, :m] = np.maximum.reduce(best[t - 1, :m, :, None] + trans, axis=1) + grid[t, :m]
        paths = np.zeros((steps, width), dtype=np.intp)
        rows = np.arange(width)
        y = best[lengths - 1, rows].argmax(axis=1)  # each row's last label
        paths[lengths - 1, rows] = y
        for t in range(steps - 1, 0, -1):
            m = active[t]
            y[:m] = (best[t - 1, :m] + trans[:, y[:m]].T).argmax(axis=1)
            paths[t - 1, :m] = y[:m]
        return paths

    def _marginals(self, grid, active) -> np.ndarray:
        """Forward-backward in probabilities, rescaled every few steps: the scales cancel in
        the marginals, and between two rescalings the sums can neither overflow nor vanish."""
        steps, width, n_labels = grid.shape
        exp_state = np.exp(grid - grid.max(axis=2, keepdims=True))  # the best label's is 1
        trans = self._exp_transition
        alpha = np.ones_like(exp_state)  # past a row's end: ones, harmless in the division
        alpha[0] = exp_state[0]
        every = self._rescale_every
        for t in range(1, steps):
            m = active[t]
            alpha[t, :m] = (alpha[t - 1, :m] @ trans) * exp_state[t, :m]
            if t % every == 0:
                alpha[t, :m] /= np.add.reduce(alpha[t, :m], axis=1, keepdims=True)
        beta = np.ones_like(exp_state)
        for t in range(steps - 2, -1, -1):
            m = active[t + 1]  # the rows that go on past t
            beta[t, :m] = (exp_state[t + 1, :m] * beta[t + 1, :m]) @ trans.T
            if t % every == 0:
                beta[t, :m] /= np.add.reduce(beta[t, :m], axis=1, keepdims=True)
        joint = alpha * beta
        return joint / joint.sum(axis=2, keepdims=True)


def _active(lengths: np.ndarray) -> list[int]:
    """How many sequences (longest first) go on at each step."""
    return np.searchsorted(-lengths, -np.arange(int(lengths[0])), side="left").tolist()
