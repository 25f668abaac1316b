"""The language guesser on the project's own short posts (``bench/data``): a floor under
its accuracy, well below what ``bench.language`` measures, so a regression shows."""

from __future__ import annotations

from collections import Counter

from bench.language import read_posts, shares_right
from config.scoring import LanguageSettings
from streams.scoring.language import LanguageGuesser


def test_the_posts_cover_every_default_language_evenly() -> None:
    counts = Counter(lang for lang, _ in read_posts())
    assert set(counts) == set(LanguageSettings().detect)
    assert set(counts.values()) == {40}


def test_the_default_guesser_names_the_language_of_most_short_posts() -> None:
    guesser = LanguageGuesser(LanguageSettings().detect)
    posts = read_posts()
    shares = shares_right(posts, [guesser.guess(text) for _, text in posts])
    # Measured: 0.94 of all posts, 0.85 of those of 1-3 words (Lingua 2.1, high accuracy).
    assert shares["all"] >= 0.90
    assert shares["1-3 words"] >= 0.78
