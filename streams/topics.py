"""Earful's Kafka topics, named once. Integrators read docs/integrators.md for the contract."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TopicSpec:
    role: str
    name: str
    description: str
    cleanup_policy: str = "delete"
    max_message_bytes: int | None = None


# Dead letters carry the original message plus headers, so their topic (and the producers
# writing it) accept more than the 1 MB a raw message may have.
DEAD_LETTER_MAX_BYTES = 4 * 1024 * 1024


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
    max_message_bytes=DEAD_LETTER_MAX_BYTES,
)

DELIVERY_LOG = TopicSpec(
    "delivery_log",
    "earful.alerts.delivery-log.v1",
    "compacted: per alert id and receiver, the last delivery outcome (so redelivery is "
    "skipped); outcomes older than delivery.remember_seconds are deleted",
    cleanup_policy="compact,delete",
)
DELIVERY_AUDIT = TopicSpec(
    "delivery_audit",
    "earful.alerts.audit.v1",
    "every delivery attempt with its outcome, for audit",
)
ALERT_STATE = TopicSpec(
    "alert_state",
    "earful.alerts.state.v1",
    "compacted: per alert id, its state (open, acknowledged, resolved, snoozed, escalated)",
    cleanup_policy="compact",
)
SILENCES = TopicSpec(
    "silences",
    "earful.silences.v1",
    "compacted: per silence id, the silence (matchers, start, end, author, comment)",
    cleanup_policy="compact",
)

CONNECTOR_CURSORS = TopicSpec(
    "connector_cursors",
    "earful.connectors.cursors.v1",
    "compacted: per connector and query, where it stopped reading (resumed at restart)",
    cleanup_policy="compact",
)
SPIKE_EVENTS = TopicSpec(
    "spike_events",
    "earful.spikes.events.v1",
    "internal: one small record per mention and brand/topic series, keyed by series, "
    "so each series' spike detector lives on one worker",
)

ALL_TOPICS = (
    MENTIONS_RAW,
    MENTIONS_SCORED,
    ALERTS,
    DEAD_LETTERS,
    DELIVERY_LOG,
    DELIVERY_AUDIT,
    ALERT_STATE,
    SILENCES,
    CONNECTOR_CURSORS,
    SPIKE_EVENTS,
)


def topic_name(spec: TopicSpec, prefix: str = "") -> str:
    """The topic's name on the broker (an optional prefix separates environments)."""
    return f"{prefix}{spec.name}"
