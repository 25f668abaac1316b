"""``pattern_polarity`` must give exactly the float TextBlob gives, on any text."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textblob import TextBlob
from textblob.en import sentiment as textblob_sentiment
from textblob.en.sentiments import PatternAnalyzer

from streams.scoring.pattern_polarity import pattern_polarity

TRICKY = [
    "",
    " ",
    "good",
    "not good",
    "not bad at all",
    "never been so happy",
    "I don't like it",
    "it isn't terrible",
    "no, not really good",
    "really not good",
    "extremely not good",
    "very very good",
    "really is a good flight",
    "not a good flight",
    "not the worst",
    "very good!",
    "very good!!!",
    "bad!!",
    "good (!)",
    "great ( ! ) service",
    "I love it :)",
    "ugh :( :'(",
    "lol :-D :P ;) <3 ♥",
    "o.O what",
    "8-) cool",
    ": - ) spaced",
    ": c ) or : o ) or : - c",
    "XD xD x-D",
    "\u201cGood\u201d and \u2018bad\u2019 quotes",
    "it's the best, isn't it? I'd say I'm sure",
    "Mr. Smith said e.g. U.S. flights are okay... or not.",
    "first.\n\nsecond paragraph is bad",
    "line\r\nbreaks\r\n\r\nhere good",
    "END-OF-SENTENCE good",
    "Good. Bad! Great? Awful...",
    "(good) [bad] {great}",
    "@united thanks for nothing #fail http://t.co/abc",
    "SO HAPPY!!! best airline ever!!!",
    "terribly good, terrible service, horribly late",
    "'quoted' \"double\" it's 'n't",
    "'''",
    "!!! ??? ...",
    "......",
    "a. b. c.",
    "don't don't not no never",
    "not !",
    "very :) good",
    "ßİﬁ ǅ Ω good",
    "\u2028good\u2029bad\x1cok\x1dfine\x85nice\xa0great",
    "emoji 😂😡👍 good",
]


def textblob_says(text: str) -> float:
    return float(textblob_sentiment(text)[0])


@pytest.mark.parametrize("text", TRICKY)
def test_same_polarity_as_textblob_on_tricky_text(text: str) -> None:
    assert pattern_polarity(text) == textblob_says(text)


def test_same_polarity_as_textblobs_public_api() -> None:
    text = "The crew was not very friendly, but the seats are GREAT :)"
    assert pattern_polarity(text) == TextBlob(text).sentiment.polarity
    assert pattern_polarity(text) == PatternAnalyzer().analyze(text).polarity
    assert pattern_polarity(text) != 0.0


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_same_polarity_as_textblob_on_any_unicode(text: str) -> None:
    assert pattern_polarity(text) == textblob_says(text)


# Words and marks that drive TextBlob's rules, so the random texts exercise negation,
# modifiers, exclamation marks, sarcasm, emoticons, quotes, abbreviations and sentences.
PIECES = [
    "good",
    "bad",
    "great",
    "terrible",
    "terribly",
    "very",
    "really",
    "extremely",
    "not",
    "no",
    "never",
    "n't",
    "don't",
    "isn't",
    "is",
    "a",
    "the",
    "flight",
    "crew",
    "happy",
    "sad",
    "best",
    "worst",
    "late",
    "nice",
    "awful",
    "love",
    "hate",
    "okay",
    "!",
    "!!",
    "?",
    ".",
    "...",
    ",",
    "(!)",
    "( ! )",
    ":)",
    ":-(",
    ":'(",
    ";)",
    ":D",
    "<3",
    ":",
    "-",
    ")",
    "(",
    "c",
    "o",
    "'",
    '"',
    "\u201c",
    "\u201d",
    "\u2018",
    "\u2019",
    "e.g.",
    "Mr.",
    "U.S.",
    "\n",
    "\n\n",
    "\r\n",
    "@brand",
    "#fail",
    "http://x.co/1",
    "GOOD",
    "Bad",
    "soooo",
]


@settings(max_examples=600, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=25),
    st.lists(st.sampled_from(["", " ", "  ", "\t"]), min_size=25, max_size=25),
)
def test_same_polarity_as_textblob_on_realistic_text(pieces: list[str], gaps: list[str]) -> None:
    text = "".join(piece + gap for piece, gap in zip(pieces, gaps, strict=False))
    assert pattern_polarity(text) == textblob_says(text)


def test_scoring_loads_textblobs_lexicon_without_nltk() -> None:
    """A worker imports the scoring path and never TextBlob's front end (NLTK, ~30 MB of
    RSS); TextBlob imported after it still works and shares the very same modules."""
    script = (
        "import sys\n"
        "from streams.scoring.pattern_polarity import pattern, pattern_polarity\n"
        "assert pattern_polarity('not bad at all :)') > 0\n"
        "print('nltk' in sys.modules, 'textblob' in sys.modules)\n"
        "from textblob import TextBlob, _text\n"
        "print(_text is pattern, TextBlob('not bad at all :)').sentiment.polarity"
        " == pattern_polarity('not bad at all :)'))\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert ran.stdout.split() == ["False", "False", "True", "True"]
