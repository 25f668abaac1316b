"""Prometheus metrics shared by every stage, and each worker's health. Label values are
created at start, so dashboards show zeros rather than gaps; no label takes an unbounded
value (no mention ids, no authors, no free-text sources). docs/metrics.md lists them all
(a test keeps it in step with the code)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime

from aiokafka import ConsumerRebalanceListener
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from streams.records import Alert, DeadLetterReason, ScoredMention

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
# From a post's creation to an alert: connectors poll, so minutes are normal, and a
# backfill can be days old; 24 h catches everything an SLA cares about.
PIPELINE_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 21600, 86400)
# Which stage observes which end-to-end latency (so each stage pre-creates only its own).
LATENCY_SPANS = {
    "streams": ("created_to_scored",),
    "alerts": ("scored_to_delivered", "created_to_delivered"),
}
NO_BRAND, OTHER_BRAND = "none", "other"


class HealthState:
    """Liveness and readiness of one worker process, read by its health endpoint's thread.

    ``live``: the worker's event loop beat within ``stall_seconds`` (a stuck loop is
    restarted by the orchestrator). ``ready``: connected to Kafka with partitions
    assigned; workers call :meth:`set_ready` when their consumer's assignment changes."""

    def __init__(self, stage: str, *, stall_seconds: float = 60.0, gauge: Gauge | None = None):
        self.stage = stage
        self.stall_seconds = stall_seconds
        self._gauge = gauge
        self._lock = threading.Lock()
        self._ready = False
        self._reason = "starting: not connected to Kafka yet"
        self._last_beat: float | None = None

    def set_ready(self, ready: bool, reason: str = "") -> None:
        """Say whether this worker can do its work now, and why not when it cannot."""
        with self._lock:
            self._ready = ready
            self._reason = reason or ("partitions assigned" if ready else "not ready")
        if self._gauge is not None:
            self._gauge.labels(self.stage).set(1 if ready else 0)

    def beat(self) -> None:
        """Called every second or so from the worker's event loop."""
        with self._lock:
            self._last_beat = time.monotonic()

    def readiness(self) -> tuple[bool, str]:
        with self._lock:
            return self._ready, self._reason

    def liveness(self) -> tuple[bool, str]:
        with self._lock:
            if self._last_beat is None:
                return True, "starting"
            silent = time.monotonic() - self._last_beat
        if silent > self.stall_seconds:
            return False, f"event loop silent for {silent:.0f} s"
        return True, "event loop running"


class ReadinessListener(ConsumerRebalanceListener):  # type: ignore[misc]
    """For aiokafka consumers: ready while partitions are assigned, not ready during a
    rebalance. ``consumer.subscribe([topic], listener=ReadinessListener(metrics.health))``."""

    def __init__(self, health: HealthState) -> None:
        self.health = health

    async def on_partitions_revoked(self, revoked: Iterable[object]) -> None:
        self.health.set_ready(False, "rebalancing: partitions revoked")

    async def on_partitions_assigned(self, assigned: Iterable[object]) -> None:
        count = len(list(assigned))
        self.health.set_ready(
            count > 0,
            f"{count} partitions assigned"
            if count
            else "no partitions assigned (more workers than partitions?)",
        )


class StageMetrics:
    """Messages in and out of one stage, its dead letters, processing time, consumer lag,
    pipeline latencies and readiness; ``health`` is the worker's :class:`HealthState`."""

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
        self.lag = Gauge(
            "earful_consumer_lag_messages",
            "Messages in a partition not yet committed by the stage's consumer group.",
            ["stage", "topic", "partition"],
            registry=registry,
        )
        self.ready = Gauge(
            "earful_worker_ready",
            "1 while the worker is connected to Kafka with partitions assigned, else 0.",
            ["stage"],
            registry=registry,
        )
        self.created_to_scored = Histogram(
            "earful_created_to_scored_seconds",
            "From a post's creation (created_at) to its scoring.",
            ["stage"],
            buckets=PIPELINE_BUCKETS,
            registry=registry,
        )
        self.scored_to_delivered = Histogram(
            "earful_scored_to_delivered_seconds",
            "From a mention's scoring to a channel accepting its alert.",
            ["stage"],
            buckets=PIPELINE_BUCKETS,
            registry=registry,
        )
        self.created_to_delivered = Histogram(
            "earful_created_to_delivered_seconds",
            "End to end: from a post's creation to a channel accepting its alert.",
            ["stage"],
            buckets=PIPELINE_BUCKETS,
            registry=registry,
        )
        self.health = HealthState(stage, gauge=self.ready)
        self.ready.labels(stage).set(0)
        for topic in consumes:
            self.consumed.labels(stage, topic)
        for topic in produces:
            self.produced.labels(stage, topic)
        for reason in DeadLetterReason:
            self.dead_letters.labels(stage, reason.value)
        self.processing.labels(stage)
        for span in LATENCY_SPANS.get(stage, ()):
            getattr(self, span).labels(stage)

    def observe_delivered(self, alert: Alert, now: datetime | None = None) -> None:
        """Record how long the alert's mention took to reach a channel (call once a channel
        accepted it). Alerts without a mention (digests, escalations) have no such span."""
        if alert.mention is None:
            return
        now = now or datetime.now(UTC)
        self.scored_to_delivered.labels(self.stage).observe(
            _seconds_between(alert.mention.scored_at, now)
        )
        self.created_to_delivered.labels(self.stage).observe(
            _seconds_between(alert.mention.created_at, now)
        )


class ScoringMetrics(StageMetrics):
    """The streams stage: the shared metrics plus scoring outcomes per brand. Brands come
    from config (bounded); a brand a connector declared that config does not know counts
    as ``other``, a mention with no brand as ``none``."""

    def __init__(
        self,
        registry: CollectorRegistry,
        consumes: Iterable[str],
        produces: Iterable[str],
        brands: Iterable[str] = (),
    ) -> None:
        super().__init__(registry, "streams", consumes, produces)
        self.brands = frozenset(brands)
        self.scored = Counter(
            "earful_mentions_scored_total",
            "Mentions scored, by brand, sentiment label, priority and whether they need a "
            "response.",
            ["brand", "sentiment", "priority", "needs_response"],
            registry=registry,
        )
        self.spikes = Counter(
            "earful_spikes_total",
            "Crises the spike detector opened (crisis) and closed (crisis_resolved).",
            ["kind"],
            registry=registry,
        )
        for kind in ("crisis", "crisis_resolved"):
            self.spikes.labels(kind)
        self._scored_children: dict[tuple[str, str, str, bool], Counter] = {}
        self._created_to_scored = self.created_to_scored.labels(self.stage)
        for brand in (*sorted(self.brands), NO_BRAND, OTHER_BRAND):
            for label in ("negative", "neutral", "positive"):
                for priority in ("P1", "P2", "P3", "P4"):
                    for needs in ("true", "false"):
                        self.scored.labels(brand, label, priority, needs)

    def brand_label(self, brand: str | None) -> str:
        if brand is None:
            return NO_BRAND
        return brand if brand in self.brands else OTHER_BRAND

    def observe_scored(self, scored: ScoredMention) -> None:
        """Count a scored mention and how long after its creation it was scored."""
        # Keyed by the bounded brand label: a connector's unknown brands must not grow it.
        key = (
            self.brand_label(scored.brand),
            scored.sentiment.label,
            scored.priority,
            scored.needs_response,
        )
        counter = self._scored_children.get(key)
        if counter is None:  # labels() validates and locks: once per combination, not per mention
            counter = self._scored_children[key] = self.scored.labels(
                *key[:3], str(scored.needs_response).lower()
            )
        counter.inc()
        self._created_to_scored.observe(_seconds_between(scored.created_at, scored.scored_at))


def _seconds_between(earlier: datetime, later: datetime) -> float:
    """Never negative (clocks at sources drift); naive times are taken as UTC."""
    earlier, later = (t if t.tzinfo else t.replace(tzinfo=UTC) for t in (earlier, later))
    return max(0.0, (later - earlier).total_seconds())
