"""Sentiment from TextBlob's polarity (one analyzer, reused: building one per call is slow)."""

from __future__ import annotations

from functools import lru_cache

from textblob.en.sentiments import PatternAnalyzer

from streams.records import SentimentLabel


@lru_cache(maxsize=1)
def _analyzer() -> PatternAnalyzer:
    return PatternAnalyzer()


def textblob_polarity(text: str) -> float:
    polarity = float(_analyzer().analyze(text).polarity)
    return max(-1.0, min(1.0, polarity))


def label_for(polarity: float, negative_below: float, positive_above: float) -> SentimentLabel:
    if polarity < negative_below:
        return "negative"
    if polarity > positive_above:
        return "positive"
    return "neutral"
