"""Scoring settings: sentiment backend, languages, urgency weights, topics, duplicates and
spikes. Queries are parsed here, once, so a malformed one is reported with its line."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from config.queries import QuerySyntaxError, parse_query

TopicName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=64)]
LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2}$")]
Weight = Annotated[float, Field(ge=0, le=1)]
URGENCY_SIGNALS = (
    "negative_sentiment",
    "safety_or_legal",
    "service_failure",
    "churn_threat",
    "author_reach",
    "verified_author",
    "vip_author",
    "addressed_to_brand",
    "repeated_contact",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _error(message: str, fix: str) -> PydanticCustomError:
    return PydanticCustomError(
        "earful", message.replace("{", "{{").replace("}", "}}"), {"fix": fix}
    )


def checked_query(value: str | None) -> str | None:
    """Parse a query at load time; a malformed one becomes a config error with a fix."""
    if value is None:
        return None
    try:
        parse_query(value)
    except QuerySyntaxError as error:
        message, _, fix = str(error).partition(": ")
        raise _error(message, fix or 'e.g. "lost bag" OR (baggage AND NOT chips)') from None
    return value


class PriorityThresholds(_Strict):
    """The lowest urgency that earns each priority; below P3 is P4."""

    p1: Annotated[float, Field(ge=0, le=1, alias="P1")] = 0.8
    p2: Annotated[float, Field(ge=0, le=1, alias="P2")] = 0.6
    p3: Annotated[float, Field(ge=0, le=1, alias="P3")] = 0.35

    @model_validator(mode="after")
    def _falling(self) -> PriorityThresholds:
        if not self.p1 > self.p2 > self.p3:
            raise _error(
                f"priority thresholds must fall from P1 to P3, got P1={self.p1} P2={self.p2} "
                f"P3={self.p3}",
                "order them so that P1 > P2 > P3, e.g. {P1: 0.8, P2: 0.6, P3: 0.35}",
            )
        return self


class UrgencyWeights(_Strict):
    """Contribution of each named signal to urgency (the sum is capped at 1)."""

    negative_sentiment: Weight = 0.3
    safety_or_legal: Weight = 0.45
    service_failure: Weight = 0.25
    churn_threat: Weight = 0.25
    author_reach: Weight = 0.2
    verified_author: Weight = 0.1
    vip_author: Weight = 0.3
    addressed_to_brand: Weight = 0.1
    repeated_contact: Weight = 0.15


class UrgencySettings(_Strict):
    weights: UrgencyWeights = UrgencyWeights()
    reach_followers: Annotated[int, Field(ge=1)] = 1000
    vip_handles: list[Annotated[str, Field(pattern=r"^@?[A-Za-z0-9_.]{1,64}$")]] = []


class Topic(_Strict):
    name: TopicName
    query: str

    @field_validator("query")
    @classmethod
    def _parsed(cls, value: str) -> str:
        checked_query(value)
        return value


class LanguageSettings(_Strict):
    """Languages the detector chooses between (fewer is faster and more accurate on short
    posts) and the ones whose sentiment Earful assesses (its lexicons are English).
    ``accuracy: low`` trades accuracy on posts of a few words for memory: about 2 MB of
    models per language instead of 25-35 MB."""

    detect: list[LanguageCode] = ["en", "es", "fr", "de", "pt", "it", "nl"]
    assess: list[LanguageCode] = ["en"]
    accuracy: Literal["high", "low"] = "high"

    @model_validator(mode="after")
    def _assessed_are_detected(self) -> LanguageSettings:
        missing = sorted(set(self.assess) - set(self.detect))
        if missing:
            raise _error(
                f"languages.assess has {missing} which languages.detect does not list",
                "add them to languages.detect",
            )
        return self


class DuplicateSettings(_Strict):
    """Near-identical texts within ``window_seconds`` count on the first alert; a mention
    id that alerted is remembered for ``remember_ids_seconds`` (then forgotten, so the
    dedupe tables stay bounded; the alert worker's delivery log still stops a repeat)."""

    window_seconds: Annotated[int, Field(ge=1, le=7 * 86400)] = 3600
    remember_ids_seconds: Annotated[int, Field(ge=1, le=30 * 86400)] = 86400
    enabled: bool = True


class SpikeSettings(_Strict):
    """Crisis detection per brand and per topic over fixed windows."""

    enabled: bool = True
    window_seconds: Annotated[int, Field(ge=10, le=86400)] = 300
    baseline_windows: Annotated[int, Field(ge=3, le=10_000)] = 48
    sensitivity: Annotated[float, Field(gt=0, le=100)] = 4.0
    min_volume: Annotated[int, Field(ge=1)] = 12
    min_negative_share: Annotated[float, Field(ge=0, le=1)] = 0.5
    quiet_windows_to_resolve: Annotated[int, Field(ge=1, le=1000)] = 2
    examples: Annotated[int, Field(ge=0, le=20)] = 3


class NeedsResponseSettings(_Strict):
    """Besides complaints, which mentions to the brand need an answer: plain questions
    ("how do I change my booking?") and requests ("please DM me")."""

    questions: bool = True
    requests: bool = True


class ScoringSettings(_Strict):
    backend: Literal["earful", "vader", "textblob"] = "earful"
    negative_below: Annotated[float, Field(ge=-1, le=1)] = -0.1
    positive_above: Annotated[float, Field(ge=-1, le=1)] = 0.5
    priority_thresholds: PriorityThresholds = PriorityThresholds()
    urgency: UrgencySettings = UrgencySettings()
    languages: LanguageSettings = LanguageSettings()
    topics: list[Topic] = []
    needs_response: NeedsResponseSettings = NeedsResponseSettings()
    duplicates: DuplicateSettings = DuplicateSettings()
    spikes: SpikeSettings = SpikeSettings()

    @model_validator(mode="after")
    def _ordered(self) -> ScoringSettings:
        if self.negative_below >= self.positive_above:
            raise _error(
                "negative_below must be lower than positive_above",
                "e.g. negative_below: -0.1 and positive_above: 0.5",
            )
        names = [t.name for t in self.topics]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise _error(f"duplicate topic {duplicated[0]!r}", "give each topic its own name")
        return self
