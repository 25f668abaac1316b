"""Earful's Kafka topics, named once. Integrators read docs/integrators.md for the contract."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TopicSpec:
    role: str
    name: str
    description: str
    cleanup_policy: str = "delete"


MENTIONS_RAW = TopicSpec(
    "mentions_raw",
    "earful.mentions.raw.v1",
    "mentions in (JSON, mention schema v1), keyed by conversation",
)
MENTIONS_SCORED = TopicSpec(
    "mentions_scored",
    "earful.mentions.scored.v1",
    "every valid mention with its sentiment, urgency, priority, team and reasons",
)
ALERTS = TopicSpec(
    "alerts",
    "earful.alerts.v1",
    "mentions that need a response, with routing labels",
)
DEAD_LETTERS = TopicSpec(
    "dead_letters",
    "earful.deadletters.v1",
    "original bytes of rejected messages; the reason is in the earful.dlq.* headers",
)

ALL_TOPICS = (MENTIONS_RAW, MENTIONS_SCORED, ALERTS, DEAD_LETTERS)


def topic_name(spec: TopicSpec, prefix: str = "") -> str:
    """The topic's name on the broker (an optional prefix separates environments)."""
    return f"{prefix}{spec.name}"
