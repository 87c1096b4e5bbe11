"""The tokeniser's C part (annotations/suggest/_segment.c) finds the same tokens as the pattern
it stands in for, on news text and on every character Unicode has."""

import random
from itertools import chain

import pytest

from annotations.suggest import segment

NEWS = (
    "WASHINGTON (AP) — Sen. Maria Lopez (D-Calif.) said Tuesday that the U.S. “won’t back down,” "
    "adding: ''It's a half-hearted plan.'' Rep. O'Neill's aide wasn't sure. ``Quote,'' he wrote...\n\n"
    "Snake_case_ _leading and trailing_ 3.5% of $1,200.00 — 24/7 e-mail… İstanbul naïve café 北京 ٣٤ ½."
)


@pytest.fixture
def c_tokens():
    if segment._segment is None:
        pytest.skip("annotations/suggest/_segment.c was not built (no C compiler at install)")
    return segment._segment.tokens


@pytest.mark.compiled
def test_the_c_tokeniser_reads_news_as_the_pattern_does(c_tokens):
    assert c_tokens(NEWS) == segment.pattern_tokens(NEWS)
    words = [w for _, _, w in c_tokens(NEWS)]
    assert ["U.S", ".", "“", "won’t"] == words[words.index("U.S"):words.index("won’t") + 1]
    assert "''" in words and "``" in words and "half-hearted" in words and "Snake_case" in words
    assert segment.tokens(NEWS) == segment.pattern_tokens(NEWS)  # the one segment uses


@pytest.mark.compiled
def test_the_c_tokeniser_classes_every_character_as_the_pattern_does(c_tokens):
    # Each character of Unicode's first four planes, where all its letters and digits are (the
    # surrogates aside: a str of them cannot be written as text), and a sample of the rest:
    # alone, inside a word, and after a word's inner marks, as the pattern's \w and \s class it.
    codes = chain(range(0xD800), range(0xE000, 0x40000), range(0x40000, 0x110000, 61))
    every = map(chr, codes)
    text = " ".join(f"{ch} a{ch}b x.{ch}-y '{ch}'" for ch in every)
    assert c_tokens(text) == segment.pattern_tokens(text)


@pytest.mark.compiled
def test_the_c_tokeniser_agrees_on_random_mixes_of_the_characters_that_matter(c_tokens):
    rng = random.Random(7)
    alphabet = "ab1_'’.-`\"“” \n\té\u0301İ٣"
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        assert c_tokens(text) == segment.pattern_tokens(text), repr(text)
    assert c_tokens("") == ()
    with pytest.raises(TypeError):
        c_tokens(b"bytes")
