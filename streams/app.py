"""``create_app(settings)``: the Faust app for the scoring stage. Nothing runs at import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import faust
from prometheus_client import CollectorRegistry

from config.schema import Settings
from streams.agents import ScoringTopics, attach_scoring_agent, attach_spike_agent
from streams.metrics import ScoringMetrics
from streams.scoring import build_scorer
from streams.topics import (
    ALERTS,
    DEAD_LETTERS,
    MENTIONS_RAW,
    MENTIONS_SCORED,
    SPIKE_EVENTS,
    topic_name,
)

APP_ID = "earful-streams"


def create_app(
    settings: Settings, *, datadir: Path, registry: CollectorRegistry | None = None
) -> faust.App:
    """The scoring app; its consumer group is prefixed like the topics, so environments
    sharing a cluster stay apart."""
    kafka = settings.kafka
    app = faust.App(
        f"{kafka.topic_prefix}{APP_ID}",
        broker=[f"kafka://{host}" for host in kafka.bootstrap_servers.split(",")],
        broker_client_id=f"{kafka.client_id}-streams",
        # Tables live in memory and are rebuilt from their changelog topics on start.
        store="memory://",
        datadir=str(datadir),
        topic_partitions=kafka.partitions_for("mentions_raw"),
        topic_replication_factor=kafka.replication_factor,
        topic_allow_declare=True,
        consumer_auto_offset_reset="earliest",
        web_enabled=False,
        autodiscover=False,
        producer_linger=0.005,
    )

    def topic(spec: Any) -> faust.TopicT:
        return app.topic(
            topic_name(spec, kafka.topic_prefix),
            key_serializer="raw",
            value_serializer="raw",
            partitions=kafka.partitions_for(spec.role),
        )

    metrics = ScoringMetrics(
        registry or CollectorRegistry(),
        consumes=[topic_name(MENTIONS_RAW, kafka.topic_prefix)],
        produces=[
            topic_name(t, kafka.topic_prefix) for t in (MENTIONS_SCORED, ALERTS, DEAD_LETTERS)
        ],
    )
    scoring = settings.scoring
    scorer = build_scorer(settings)
    scorer.languages.warm_up()
    topics = ScoringTopics(
        source=topic(MENTIONS_RAW),
        scored=topic(MENTIONS_SCORED),
        alerts=topic(ALERTS),
        dead_letters=topic(DEAD_LETTERS),
        spike_events=topic(SPIKE_EVENTS),
    )
    raw_partitions = kafka.partitions_for("mentions_raw")
    attach_scoring_agent(
        app,
        topics=topics,
        scorer=scorer,
        metrics=metrics,
        seen=app.Table("alerted-mentions", default=None, partitions=raw_partitions),
        similar=app.Table("similar-texts", default=None, partitions=raw_partitions),
        dedup=scoring.duplicates,
        spikes_enabled=scoring.spikes.enabled,
    )
    if scoring.spikes.enabled:
        attach_spike_agent(
            app,
            spike_events=topics.spike_events,
            alerts=topics.alerts,
            state=app.Table(
                "spike-state", default=None, partitions=kafka.partitions_for("spike_events")
            ),
            settings=settings,
        )
    app.earful_metrics = metrics  # type: ignore[attr-defined]
    return app
