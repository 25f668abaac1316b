"""``create_app(settings)``: the Faust app for the scoring stage. Nothing runs at import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import faust
from prometheus_client import CollectorRegistry

from config.kafka_security import kafka_client_options
from config.schema import Settings
from streams.agents import ScoringTopics, attach_scoring_agent, attach_spike_agent
from streams.changelog import QueuedTable
from streams.expiry import (
    ExpiresAt,
    ExpiringTable,
    Expiry,
    NotedTable,
    seen_expiry,
    similar_expiry,
)
from streams.metrics import HealthState, ScoringMetrics
from streams.rebalance import fence_seeks
from streams.scoring import build_scorer
from streams.topics import (
    ALERTS,
    DEAD_LETTER_MAX_BYTES,
    DEAD_LETTERS,
    MENTIONS_RAW,
    MENTIONS_SCORED,
    SPIKE_EVENTS,
    topic_name,
)

APP_ID = "earful-streams"
# Faust forgets acked-but-uncommitted offsets of revoked partitions before its revoke
# handler commits, so a rebalance replays up to one commit interval of work on every
# partition. Committing often (cheap: one request per worker) keeps those duplicates few.
COMMIT_INTERVAL_SECONDS = 0.5
# With aiokafka's 16 KB default a batch held about ten scored records, and the agent
# stopped to wait for the sender each time one filled: 256 KB gave one worker 8-9% more.
PRODUCER_BATCH_BYTES = 256 * 1024


def faust_app(settings: Settings, app_id: str, *, datadir: Path) -> faust.App:
    """A Faust app with the scoring stage's client, producer and commit options and no
    agents yet (``bench.faust_floor`` builds one to measure Faust alone)."""
    kafka = settings.kafka
    return faust.App(
        f"{kafka.topic_prefix}{app_id}",
        **kafka_client_options(kafka, "faust"),
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
        producer_linger=0.02,
        producer_max_batch_size=PRODUCER_BATCH_BYTES,
        producer_max_request_size=DEAD_LETTER_MAX_BYTES + 64 * 1024,
        broker_commit_interval=COMMIT_INTERVAL_SECONDS,
        broker_session_timeout=kafka.session_timeout_seconds,
        broker_heartbeat_interval=kafka.heartbeat_seconds,
        # No standby copies of other workers' tables: their entries expire only where the
        # partition is processed; a worker taking a partition over rebuilds its tables from
        # the changelog (kept small by that expiry).
        table_standby_replicas=0,
    )


def create_app(
    settings: Settings, *, datadir: Path, registry: CollectorRegistry | None = None
) -> faust.App:
    """The scoring app; its consumer group is prefixed like the topics, so environments
    sharing a cluster stay apart."""
    kafka = settings.kafka
    app = faust_app(settings, APP_ID, datadir=datadir)

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
        brands=[brand.name for brand in settings.brands],
    )
    attach_health(app, metrics.health, topic_name(MENTIONS_RAW, kafka.topic_prefix))
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
    dedup = scoring.duplicates
    expiry = Expiry({})
    changelogs: list[QueuedTable] = []

    def dedupe_table(name: str, table_name: str, expires_at: ExpiresAt) -> NotedTable:
        async def remember_expiry(event: Any) -> None:  # entries replayed at start-up
            if event.value is not None:
                key = event.key.decode() if isinstance(event.key, bytes) else str(event.key)
                expiry.note(event.message.partition, name, key, event.value)

        table = QueuedTable(
            app.Table(
                table_name,
                default=None,
                partitions=raw_partitions,
                on_changelog_event=remember_expiry,
            )
        )
        changelogs.append(table)
        expiry.tables[name] = ExpiringTable(name, table, expires_at)
        return NotedTable(name, table, expiry)

    attach_scoring_agent(
        app,
        topics=topics,
        scorer=scorer,
        metrics=metrics,
        seen=dedupe_table("seen", "alerted-mentions", seen_expiry(dedup.remember_ids_seconds)),
        similar=dedupe_table("similar", "similar-texts", similar_expiry(dedup.window_seconds)),
        expiry=expiry,
        changelogs=changelogs,
        dedup=dedup,
        spikes=scoring.spikes if scoring.spikes.enabled else None,
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
            metrics=metrics,
        )
    fence_seeks(app)
    app.earful_metrics = metrics  # type: ignore[attr-defined]
    return app


def attach_health(app: faust.App, health: HealthState, source_topic: str) -> None:
    """Readiness follows the consumer's assignment of the source topic (not ready during a
    rebalance); a one-second timer proves the event loop is alive."""

    async def revoked(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        health.set_ready(False, "rebalancing: partitions revoked")

    async def assigned(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        assignment = args[0] if args else kwargs.get("assigned", ())
        count = sum(1 for tp in assignment if tp.topic == source_topic)
        health.set_ready(
            count > 0,
            f"{count} partitions of {source_topic} assigned"
            if count
            else f"no partitions of {source_topic} assigned (more workers than partitions?)",
        )

    async def heartbeat() -> None:
        health.beat()

    app.on_partitions_revoked.connect(revoked)
    app.on_partitions_assigned.connect(assigned)
    app.timer(1.0, name="earful.heartbeat")(heartbeat)
