"""The full scoring path: brand, sentiment, urgency, priority, needs_response, team."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from config.schema import PriorityThresholds, Settings
from streams.records import Mention, Priority, ScoredMention, Sentiment, Urgency
from streams.scoring.brands import BrandMatcher
from streams.scoring.ownership import owning_team
from streams.scoring.sentiment import label_for, textblob_polarity
from streams.scoring.urgency import urgency_score, urgency_signals

SCORER_VERSION = "earful-baseline-1"
QUESTION = re.compile(r"\?\s*(?:$|[@#\s])")
HELP_REQUEST = re.compile(r"\b(help|please|pls|fix|dm me|contact me|refund)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Scorer:
    settings: Settings
    brands: BrandMatcher

    def score(self, mention: Mention, now: datetime | None = None) -> ScoredMention:
        scoring = self.settings.scoring
        brand = self.brands.brand_of(mention.text, mention.brand)
        addressed = self.brands.addressed(mention.text, brand)
        polarity = textblob_polarity(mention.text)
        label = label_for(polarity, scoring.negative_below, scoring.positive_above)
        signals = urgency_signals(mention, polarity, addressed)
        urgency = urgency_score(signals)
        priority = priority_for(urgency, scoring.priority_thresholds)
        reasons = [f"{s.name} +{s.contribution:.2f} ({s.detail})" for s in signals]
        failure = any(s.name in ("safety_or_legal", "service_failure") for s in signals)
        needs_response, why = needs_response_for(mention.text, label, addressed, failure)
        reasons.append(why)
        team = owning_team(
            self.settings.teams,
            self.settings.default_team,
            brand=brand,
            source=mention.source,
            lang=mention.lang,
        )
        return ScoredMention.model_validate(
            {
                **mention.model_dump(),
                "brand": brand,
                "sentiment": Sentiment(label=label, polarity=polarity, textblob_polarity=polarity),
                "urgency": Urgency(score=urgency),
                "priority": priority,
                "needs_response": needs_response,
                "team": team,
                "reasons": reasons,
                "scored_at": now or datetime.now(UTC),
                "scorer": SCORER_VERSION,
            },
            strict=False,
        )


def needs_response_for(
    text: str, label: str, addressed: bool, reports_failure: bool
) -> tuple[bool, str]:
    if label == "negative":
        return True, "needs response: negative sentiment"
    if reports_failure:
        return True, "needs response: reports a failure, a safety or a legal issue"
    if addressed and QUESTION.search(text + " "):
        return True, "needs response: a question to the brand"
    if addressed and HELP_REQUEST.search(text):
        return True, "needs response: asks the brand for help"
    return False, "no response needed: not negative, no question or request"


def priority_for(urgency: float, thresholds: PriorityThresholds) -> Priority:
    if urgency >= thresholds.p1:
        return "P1"
    if urgency >= thresholds.p2:
        return "P2"
    if urgency >= thresholds.p3:
        return "P3"
    return "P4"


def build_scorer(settings: Settings) -> Scorer:
    return Scorer(settings, BrandMatcher.from_config(settings.brands))
