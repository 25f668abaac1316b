"""The full scoring path: language, brand, topics, sentiment, needs_response, urgency,
priority, team. Everything expensive (analyzers, patterns, queries) is built once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from pydantic import BaseModel

from config.schema import Settings
from config.scoring import PriorityThresholds
from streams.records import Mention, Priority, ScoredMention, Sentiment, Urgency
from streams.scoring.brands import BrandMatcher, BrandNames, TopicMatcher
from streams.scoring.language import LanguageGuesser, clear_language_cache
from streams.scoring.needs_response import needs_response
from streams.scoring.ownership import owning_team
from streams.scoring.sentiment import (
    Reading,
    SentimentScorer,
    clear_sentiment_cache,
    textblob_polarity,
)
from streams.scoring.urgency import urgency_score, urgency_signals

SCORER_VERSION = "earful-2"
R = TypeVar("R", bound=BaseModel)


@dataclass(frozen=True)
class Scorer:
    settings: Settings
    brands: BrandMatcher
    topics: TopicMatcher
    sentiment: SentimentScorer
    languages: LanguageGuesser

    @staticmethod
    def clear_caches() -> None:
        """Forget the cached sentiment readings and language guesses (so a benchmark
        measures unseen texts)."""
        clear_sentiment_cache()
        clear_language_cache()

    def read_sentiment(self, text: str, lang: str | None) -> Reading:
        """Sentiment where the lexicons apply; elsewhere neutral and ``assessed: false``."""
        if lang is not None and lang not in self.settings.scoring.languages.assess:
            tb = round(textblob_polarity(text), 4)
            return Reading("neutral", 0.0, tb, (), assessed=False)
        return self.sentiment.read(text)

    def score(self, mention: Mention, now: datetime | None = None) -> ScoredMention:
        scoring = self.settings.scoring
        text = mention.text
        lang = self.languages.guess(text, mention.lang)
        brand, addressed = self.brands.brand_and_addressed(text, mention.brand)
        topics = self.topics.topics_of(text)
        reading = self.read_sentiment(text, lang)
        signals = urgency_signals(
            mention, reading.polarity if reading.assessed else None, addressed, scoring.urgency
        )
        urgency = urgency_score(signals)
        decision = needs_response(
            text,
            reading,
            addressed,
            questions=scoring.needs_response.questions,
            requests=scoring.needs_response.requests,
        )
        reasons = [
            f"sentiment {reading.label} {reading.polarity:+.2f} ({scoring.backend}"
            + (": " + ", ".join(reading.cues) if reading.cues else "")
            + ")"
            if reading.assessed
            else f"sentiment not assessed: language {lang!r}",
            *(s.reason() for s in signals),
            decision.reason,
        ]
        team = owning_team(
            self.settings.teams,
            self.settings.default_team,
            brand=brand,
            source=mention.source,
            lang=lang,
            topics=topics,
        )
        # The mention is validated already and the rest is typed by this code, so the record
        # is built without validating it twice (a third of the scoring time otherwise);
        # property tests check that every scored mention validates.
        values = dict(mention.__dict__)  # the validated fields, without pydantic's __iter__
        values.update(
            lang=mention.lang or lang,
            brand=brand,
            # Both in bounds by construction (clamped polarities, capped urgency).
            sentiment=trusted(
                Sentiment,
                {
                    "label": reading.label,
                    "polarity": reading.polarity,
                    "textblob_polarity": reading.textblob_polarity,
                    "assessed": reading.assessed,
                },
            ),
            urgency=trusted(Urgency, {"score": urgency}),
            priority=priority_for(urgency, scoring.priority_thresholds),
            needs_response=decision.needs_response,
            team=team,
            topics=topics,
            reasons=reasons,
            scored_at=now or datetime.now(UTC),
            scorer=SCORER_VERSION,
        )
        return trusted(ScoredMention, values)


_FIELD_NAMES: dict[type[BaseModel], tuple[str, ...]] = {}


def trusted(model: type[R], values: dict[str, object]) -> R:
    """What ``model.model_construct(**values)`` builds when ``values`` holds every field,
    already validated: without its per-field alias and default lookups, which cost more
    than scoring a short post's language. ``test_scorer.py`` checks both agree."""
    names = _FIELD_NAMES.get(model)
    if names is None:
        names = _FIELD_NAMES[model] = tuple(model.model_fields)
    ordered = {name: values[name] for name in names}
    record = model.__new__(model)
    object.__setattr__(record, "__dict__", ordered)
    object.__setattr__(record, "__pydantic_fields_set__", set(ordered))
    object.__setattr__(record, "__pydantic_extra__", None)
    object.__setattr__(record, "__pydantic_private__", None)
    return record


def priority_for(urgency: float, thresholds: PriorityThresholds) -> Priority:
    if urgency >= thresholds.p1:
        return "P1"
    if urgency >= thresholds.p2:
        return "P2"
    if urgency >= thresholds.p3:
        return "P3"
    return "P4"


def build_scorer(settings: Settings) -> Scorer:
    scoring = settings.scoring
    return Scorer(
        settings,
        BrandMatcher.from_config(settings.brands),
        TopicMatcher.from_config(scoring.topics),
        SentimentScorer(
            scoring.backend,
            scoring.negative_below,
            scoring.positive_above,
            BrandNames.from_config(settings.brands),
        ),
        LanguageGuesser(scoring.languages.detect, scoring.languages.accuracy),
    )
