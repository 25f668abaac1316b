"""Urgency in [0, 1] from named signals whose weights live in config; each fired signal is
reported with its contribution, so a person sees why a mention is P1."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import NamedTuple

from config.scoring import UrgencySettings
from streams.records import Mention
from streams.scoring.alternation import FirstMatches

OUTAGE_WORDS = (
    r"\b(?:down|outage|not working|doesn'?t work|can'?t log ?in|crash(?:ed|es|ing)?|broken|"
    r"error|cancell?ed|stranded|lost|refund|charged twice|on hold|still waiting)\b"
)
SAFETY_WORDS = (
    r"\b(?:unsafe|danger(?:ous)?|injur(?:y|ed)|fire|smoke|emergency|lawsuit|lawyer|attorney|"
    r"sue|suing|fraud|scam|hacked|stolen|harass(?:ed|ment)?|assault(?:ed)?|police|"
    r"discriminat\w*|food poisoning|allerg\w*)\b"
)
CHURN_WORDS = (
    r"\b(?:never (?:\w+ing|buy|fly|use|order|shop|book)\w* (?:with |from )?(?:you|again)|"
    r"(?:cancel+(?:ing)?|close|closing) my (?:account|subscription|membership|card|contract)|"
    r"switch(?:ing)? to|tak(?:e|ing) my (?:business|money) elsewhere|done with you|"
    r"last time i (?:fly|use|order|buy|book)|never again|lost (?:a|another) customer)\b"
)
REPEATED_WORDS = (
    r"\b(?:(?:second|third|fourth|2nd|3rd|4th|\d+th) (?:time|call|email|attempt|try)|"
    r"already (?:called|emailed|told|contacted|dm'?d|reported|asked)|"
    r"keep (?:calling|asking|emailing)|(?:asked|called|emailed) (?:\w+ )?(?:times|twice)|"
    r"still (?:no|not|waiting|haven'?t)|yet again)\b"
)
# One scan finds all four: they run on every mention.
KEYWORD_SIGNALS = FirstMatches((SAFETY_WORDS, OUTAGE_WORDS, CHURN_WORDS, REPEATED_WORDS))


class Signal(NamedTuple):  # a tuple: built for every fired signal of every mention
    name: str
    contribution: float
    detail: str

    def reason(self) -> str:
        return f"{self.name} +{self.contribution:.2f} ({self.detail})"


@lru_cache(maxsize=8)
def _vips(handles: tuple[str, ...]) -> frozenset[str]:
    return frozenset(h.lstrip("@").lower() for h in handles)


def urgency_signals(
    mention: Mention,
    polarity: float | None,
    addressed: bool,
    settings: UrgencySettings,
) -> list[Signal]:
    """``polarity`` is None when sentiment was not assessed (another language)."""
    weights = settings.weights
    text = mention.text.lower()  # the patterns are lower case: faster than IGNORECASE
    candidates: list[Signal] = []
    if polarity is not None and polarity < 0:
        candidates.append(
            Signal(
                "negative_sentiment",
                round(weights.negative_sentiment * -polarity, 3),
                f"polarity {polarity:+.2f}",
            )
        )
    safety, outage, churn, repeated = KEYWORD_SIGNALS.first_matches(text)
    for name, found, weight in (
        ("safety_or_legal", safety, weights.safety_or_legal),
        ("service_failure", outage, weights.service_failure),
        ("churn_threat", churn, weights.churn_threat),
    ):
        if found:
            candidates.append(Signal(name, round(weight, 3), f"says {found.group(0).lower()!r}"))
    followers = mention.author.followers or 0
    if followers >= settings.reach_followers:
        # One third of the weight at the threshold, all of it at 100 times the threshold.
        share = min(1.0, (1 + math.log10(followers / settings.reach_followers)) / 3)
        candidates.append(
            Signal("author_reach", round(weights.author_reach * share, 3), f"{followers} followers")
        )
    if mention.author.verified:
        candidates.append(
            Signal("verified_author", round(weights.verified_author, 3), "verified account")
        )
    if mention.author.handle.lstrip("@").lower() in _vips(tuple(settings.vip_handles)):
        candidates.append(
            Signal(
                "vip_author",
                round(weights.vip_author, 3),
                f"@{mention.author.handle.lstrip('@')} is a VIP",
            )
        )
    if addressed:
        candidates.append(
            Signal("addressed_to_brand", round(weights.addressed_to_brand, 3), "names the brand")
        )
    if repeated:
        candidates.append(
            Signal(
                "repeated_contact",
                round(weights.repeated_contact, 3),
                f"says {repeated.group(0).lower()!r}",
            )
        )
    elif mention.in_reply_to is not None:
        candidates.append(
            Signal("repeated_contact", round(weights.repeated_contact, 3), "follows up in a thread")
        )
    return [s for s in candidates if s.contribution > 0]


def urgency_score(signals: list[Signal]) -> float:
    return round(min(1.0, sum(s.contribution for s in signals)), 3)
