"""The language guesser on the project's own short posts (``bench/data``): a floor under
its accuracy, well below what ``bench.language`` measures, so a regression shows."""

from __future__ import annotations

import csv
from collections import Counter

from bench.language import POSTS, length_bucket
from config.scoring import LanguageSettings
from streams.scoring.language import LanguageGuesser


def test_the_posts_cover_every_default_language_evenly() -> None:
    with POSTS.open(encoding="utf-8", newline="") as handle:
        counts = Counter(row["lang"] for row in csv.DictReader(handle))
    assert set(counts) == set(LanguageSettings().detect)
    assert set(counts.values()) == {40}


def test_the_default_guesser_names_the_language_of_most_short_posts() -> None:
    guesser = LanguageGuesser(LanguageSettings().detect)
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    with POSTS.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for key in ("all", length_bucket(row["text"])):
                total[key] += 1
                right[key] += guesser.guess(row["text"]) == row["lang"]
    # Measured: 0.94 of all posts, 0.85 of those of 1-3 words (Lingua 2.1, high accuracy).
    assert right["all"] / total["all"] >= 0.90
    assert right["1-3 words"] / total["1-3 words"] >= 0.78
