"""Urgency in [0, 1] from named signals, each reported with its contribution."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from streams.records import Mention

OUTAGE_WORDS = re.compile(
    r"\b(down|outage|not working|doesn'?t work|can'?t log ?in|crash(?:ed|es|ing)?|broken|"
    r"error|cancell?ed|stranded|lost|refund|charged twice)\b",
    re.IGNORECASE,
)
SAFETY_WORDS = re.compile(
    r"\b(unsafe|danger(?:ous)?|injur(?:y|ed)|fire|smoke|emergency|lawsuit|lawyer|sue|"
    r"fraud|scam|hacked|stolen)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Signal:
    name: str
    contribution: float
    detail: str


def urgency_signals(mention: Mention, polarity: float, addressed: bool) -> list[Signal]:
    signals: list[Signal] = []
    if polarity < 0:
        signals.append(
            Signal("negative_sentiment", round(0.35 * -polarity, 3), f"polarity {polarity:+.2f}")
        )
    if found := SAFETY_WORDS.search(mention.text):
        signals.append(Signal("safety_or_legal", 0.45, f"says {found.group(0).lower()!r}"))
    if found := OUTAGE_WORDS.search(mention.text):
        signals.append(Signal("service_failure", 0.25, f"says {found.group(0).lower()!r}"))
    followers = mention.author.followers or 0
    if followers >= 1000:
        reach = min(0.2, 0.05 * math.log10(followers / 100))
        signals.append(Signal("author_reach", round(reach, 3), f"{followers} followers"))
    if mention.author.verified:
        signals.append(Signal("verified_author", 0.1, "verified account"))
    if addressed:
        signals.append(Signal("addressed_to_brand", 0.1, "names the brand"))
    return signals


def urgency_score(signals: list[Signal]) -> float:
    return round(min(1.0, sum(s.contribution for s in signals)), 3)
