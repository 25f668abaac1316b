"""``create_app(settings)``: the Faust app for the scoring stage. Nothing runs at import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import faust
from prometheus_client import CollectorRegistry

from config.schema import Settings
from streams.agents import attach_scoring_agent
from streams.metrics import ScoringMetrics
from streams.scoring import build_scorer
from streams.topics import (
    ALERTS,
    DEAD_LETTER_MAX_BYTES,
    DEAD_LETTERS,
    MENTIONS_RAW,
    MENTIONS_SCORED,
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
        store="memory://",
        datadir=str(datadir),
        topic_partitions=kafka.partitions_for("mentions_raw"),
        topic_replication_factor=kafka.replication_factor,
        topic_allow_declare=True,
        consumer_auto_offset_reset="earliest",
        web_enabled=False,
        autodiscover=False,
        producer_linger=0.02,
        producer_max_request_size=DEAD_LETTER_MAX_BYTES + 64 * 1024,
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
    attach_scoring_agent(
        app,
        source=topic(MENTIONS_RAW),
        scored=topic(MENTIONS_SCORED),
        alerts=topic(ALERTS),
        dead_letters=topic(DEAD_LETTERS),
        scorer=build_scorer(settings),
        metrics=metrics,
    )
    app.earful_metrics = metrics  # type: ignore[attr-defined]
    return app
