"""The numpy tagger reads crfsuite's model bytes and tags as crfsuite does: the same labels and
the same marginals, for any mix of sequence lengths tagged together; and so does its compiled
path (annotations/suggest/_crf.c), which it takes when the install built it."""

import random

import numpy as np
import pycrfsuite
import pytest

from annotations.suggest import crf as crf_module
from annotations.suggest.crf import CRF



LABELS = ["O", "B-Q", "I-Q", "L-Q", "U-S"]


def _sequence(rng, n):
    xs, ys = [], []
    for _ in range(n):
        y = rng.choice(LABELS)
        # A word, a noisy hint of the label (so the weights and transitions mean something),
        # and a non-ASCII attribute every token has.
        xs.append([f"w={rng.randint(0, 30)}".encode(), f"y={y}|{rng.randint(0, 2)}".encode(), "é=ü".encode()])
        ys.append(y)
    return xs, ys


@pytest.fixture(scope="module")
def model_bytes(tmp_path_factory):
    rng = random.Random(1)
    trainer = pycrfsuite.Trainer(verbose=False)
    for _ in range(60):
        trainer.append(*_sequence(rng, rng.randint(1, 30)))
    trainer.set_params({"c1": 0.001, "c2": 0.01, "max_iterations": 50, "feature.possible_transitions": True})
    path = tmp_path_factory.mktemp("crf") / "model.crfsuite"
    trainer.train(str(path))
    return path.read_bytes()


def test_the_weights_are_crfsuites_own(model_bytes):
    tagger = pycrfsuite.Tagger()
    tagger.open_inmemory(model_bytes)
    info = tagger.info()
    crf = CRF(model_bytes)
    assert sorted(crf.labels) == sorted(info.labels)
    assert len(crf.index) == len(info.attributes)
    for (attr, label), weight in info.state_features.items():  # the dump prints 6 decimals
        assert crf.state[crf.index[attr.encode()], crf.labels.index(label)] == pytest.approx(weight, abs=1e-6)
    for (a, b), weight in info.transitions.items():
        assert crf.transition[crf.labels.index(a), crf.labels.index(b)] == pytest.approx(weight, abs=1e-6)


def test_tagging_many_sequences_at_once_gives_crfsuites_labels_and_marginals(model_bytes, crf_compiled):
    rng = random.Random(2)
    sequences = [_sequence(rng, rng.randint(1, 40))[0] for _ in range(60)] + [[[b"never seen"]]]
    crf = CRF(model_bytes)
    crf.compiled = crf_compiled
    tagged = crf.tag([crf.state[[crf.rows(token) for token in seq]].sum(axis=1) for seq in sequences])
    tagger = pycrfsuite.Tagger()
    tagger.open_inmemory(model_bytes)
    for seq, (labels, marginals) in zip(sequences, tagged):
        tagger.set(seq)
        expected = tagger.tag()
        assert labels == expected
        assert list(marginals) == pytest.approx([tagger.marginal(y, t) for t, y in enumerate(expected)], abs=1e-9)
    assert crf.tag([]) == []
    # Marginals only where the best labels hold a label asked for; the rest stay the same.
    some = crf.tag([crf.state[[crf.rows(token) for token in seq]].sum(axis=1) for seq in sequences], need={"U-S"})
    for (labels, marginals), (labels_some, marginals_some) in zip(tagged, some):
        assert labels_some == labels
        if "U-S" in labels:
            assert list(marginals_some) == pytest.approx(list(marginals), abs=1e-12)
        else:
            assert marginals_some is None
    assert any(m is None for _, m in some) and any(m is not None for _, m in some)


@pytest.mark.parametrize("keep", [0, 4, 47, 200, -30])
def test_a_cut_or_foreign_file_is_a_value_error(model_bytes, keep):
    with pytest.raises(ValueError):
        CRF(model_bytes[:keep])
    with pytest.raises(ValueError):
        CRF(b"PK\x03\x04" + model_bytes[4:])


def test_a_damaged_features_chunk_is_a_value_error(model_bytes):
    """A feature count past the file's end (the chunk's third word) is damage, not a crash."""
    import struct

    off_features = struct.unpack_from("<I", model_bytes, 28)[0]
    data = bytearray(model_bytes)
    struct.pack_into("<I", data, off_features + 8, 10**6)
    with pytest.raises(ValueError, match="damaged"):
        CRF(bytes(data))


def test_ties_go_to_the_first_label_both_ways(model_bytes):
    """All-equal scores and transitions: every step ties, and crfsuite takes the first label."""
    crf = CRF(model_bytes)
    crf.transition = np.zeros_like(crf.transition)
    crf._exp_transition = np.ones_like(crf.transition)
    scores = [np.zeros((n, len(crf.labels))) for n in (1, 2, 7)]
    crf.compiled = False
    expected = crf.tag(scores)
    assert [labels for labels, _ in expected] == [[crf.labels[0]] * n for n in (1, 2, 7)]
    if crf_module._crf is not None:
        crf.compiled = True
        for (labels, marginals), (want, want_marginals) in zip(crf.tag(scores), expected):
            assert labels == want
            assert list(marginals) == pytest.approx(list(want_marginals), abs=1e-15)
            assert list(marginals) == pytest.approx([1 / len(crf.labels)] * len(labels))


@pytest.mark.compiled
def test_the_compiled_recurrences_refuse_arrays_of_the_wrong_size():
    if crf_module._crf is None:
        pytest.skip("annotations/suggest/_crf.c was not built (no C compiler at install)")
    c = crf_module._crf
    scores, trans, path = np.zeros((3, 2)), np.zeros((2, 2)), np.zeros(3, dtype=np.intp)
    with pytest.raises(ValueError, match="scores: wanted a 2-dimensional float64 array"):
        c.viterbi(np.zeros(6), trans, path)
    with pytest.raises(ValueError, match="shapes do not fit"):
        c.viterbi(scores, trans, np.zeros(2, dtype=np.intp))
    with pytest.raises(ValueError, match="shapes do not fit"):
        c.viterbi(scores, np.zeros((3, 3)), path)
    with pytest.raises(ValueError, match="empty"):
        c.viterbi(np.zeros((0, 2)), trans, np.zeros(0, dtype=np.intp))
    with pytest.raises(ValueError, match="out of range"):
        c.marginals(scores, np.ones((2, 2)), 4, np.array([0, 5, 1], dtype=np.intp), np.zeros(3))
    with pytest.raises(ValueError, match="shapes do not fit"):
        c.marginals(scores, np.ones((2, 2)), 4, np.array([0, 1, 1], dtype=np.intp), np.zeros(2))
    with pytest.raises(ValueError, match="path: wanted a 1-dimensional intp array"):
        c.viterbi(scores, trans, np.zeros(3, dtype=np.int32))
    with pytest.raises(ValueError, match="not C-contiguous"):
        c.viterbi(scores, trans, np.zeros(6, dtype=np.intp)[::2])
    path.setflags(write=False)
    with pytest.raises(ValueError, match="read-only"):
        c.viterbi(scores, trans, path)
    # The tagger's score sums: 2 words x (own + 1 neighbour) x 2 labels, 3 tokens in one paragraph.
    table, at, edges, coded = np.zeros((2, 2, 2)), np.array([1]), np.zeros((1, 2)), np.zeros((4, 2))
    codes, offsets, out = np.zeros((1, 3), dtype=np.intp), np.zeros((1, 1), dtype=np.intp), np.zeros((3, 2))

    def sums(ids=np.array([0, 1, 1]), lengths=np.array([3]), codes=codes, out=out, edges=edges):
        c.state_scores(table, ids, lengths, at, edges, coded, codes, offsets, out)

    sums()
    with pytest.raises(ValueError, match="word id out of range"):
        sums(ids=np.array([0, 2, 1]))
    with pytest.raises(ValueError, match="do not add up"):
        sums(lengths=np.array([2]))
    with pytest.raises(ValueError, match="template code out of range"):
        sums(codes=np.array([[0, 4, 0]]))
    with pytest.raises(ValueError, match="shapes do not fit"):
        sums(out=np.zeros((3, 3)))
    with pytest.raises(ValueError, match="ids: wanted a 1-dimensional intp array"):
        sums(ids=np.array([0.0, 1.0, 1.0]))
