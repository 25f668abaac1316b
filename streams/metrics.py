"""Prometheus metrics shared by every stage. Label values are created at start, so
dashboards show zeros rather than gaps; no label takes an unbounded value."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram

from streams.records import DeadLetterReason

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class StageMetrics:
    """Messages in and out of one stage, its dead letters and its processing time."""

    def __init__(
        self,
        registry: CollectorRegistry,
        stage: str,
        consumes: Iterable[str],
        produces: Iterable[str],
    ) -> None:
        self.registry = registry
        self.stage = stage
        self.consumed = Counter(
            "earful_messages_consumed_total",
            "Messages read from a topic by a stage.",
            ["stage", "topic"],
            registry=registry,
        )
        self.produced = Counter(
            "earful_messages_produced_total",
            "Messages written to a topic by a stage.",
            ["stage", "topic"],
            registry=registry,
        )
        self.dead_letters = Counter(
            "earful_dead_letters_total",
            "Messages sent to the dead-letter topic, by reason.",
            ["stage", "reason"],
            registry=registry,
        )
        self.processing = Histogram(
            "earful_processing_seconds",
            "Time to process one message in a stage.",
            ["stage"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        for topic in consumes:
            self.consumed.labels(stage, topic)
        for topic in produces:
            self.produced.labels(stage, topic)
        for reason in DeadLetterReason:
            self.dead_letters.labels(stage, reason.value)
        self.processing.labels(stage)


class ScoringMetrics(StageMetrics):
    def __init__(
        self, registry: CollectorRegistry, consumes: Iterable[str], produces: Iterable[str]
    ) -> None:
        super().__init__(registry, "streams", consumes, produces)
        self.scored = Counter(
            "earful_mentions_scored_total",
            "Mentions scored, by sentiment label and priority.",
            ["sentiment", "priority", "needs_response"],
            registry=registry,
        )
        for label in ("negative", "neutral", "positive"):
            for priority in ("P1", "P2", "P3", "P4"):
                for needs in ("true", "false"):
                    self.scored.labels(label, priority, needs)
