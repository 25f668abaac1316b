"""Stage metrics: zeros at start, bounded brand labels, pipeline latencies, readiness."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import orjson
from prometheus_client import CollectorRegistry

from config.loader import parse_settings
from streams.metrics import HealthState, ReadinessListener, ScoringMetrics, StageMetrics
from streams.pipeline import Scored, process
from streams.scoring import build_scorer

CONFIG = """
brands: [{name: acmeair, keywords: [acme air], handles: ['@acmeair']}]
teams: [{name: air-care, brands: [acmeair]}]
"""


def mention(text: str, created: datetime) -> bytes:
    author = {"id": "1", "handle": "h"}
    return orjson.dumps(
        {
            "schema_version": 1,
            "id": "t:1",
            "source": "t",
            "text": text,
            "created_at": created.isoformat(),
            "author": author,
        }
    )


def scored(text: str, age: float = 0.0) -> Scored:
    now = datetime.now(UTC)
    scorer = build_scorer(parse_settings(CONFIG, "<t>", {}))
    outcome = process(mention(text, now - timedelta(seconds=age)), scorer, now)
    assert isinstance(outcome, Scored)
    return outcome


def test_label_values_exist_at_start_so_dashboards_show_zeros() -> None:
    registry = CollectorRegistry()
    ScoringMetrics(registry, ["raw"], ["scored"], brands=["acmeair"])
    value = registry.get_sample_value
    assert value("earful_messages_consumed_total", {"stage": "streams", "topic": "raw"}) == 0
    assert value("earful_dead_letters_total", {"stage": "streams", "reason": "not_json"}) == 0
    assert value("earful_worker_ready", {"stage": "streams"}) == 0
    assert value("earful_created_to_scored_seconds_count", {"stage": "streams"}) == 0
    # delivery latencies belong to the alerts stage, so streams does not pre-create them
    assert value("earful_scored_to_delivered_seconds_count", {"stage": "streams"}) is None
    for brand in ("acmeair", "none", "other"):
        labels = {"brand": brand, "sentiment": "negative", "priority": "P1"}
        labels["needs_response"] = "true"
        assert value("earful_mentions_scored_total", labels) == 0


def test_brands_outside_config_count_as_other_and_latency_is_observed() -> None:
    registry = CollectorRegistry()
    metrics = ScoringMetrics(registry, ["raw"], ["scored"], brands=["acmeair"])
    for outcome in (
        scored("@acmeair my flight was cancelled", age=120),
        scored("nice weather"),
    ):
        metrics.observe_scored(outcome.scored)
    # a brand config does not know (a connector's own) must not create a new series
    unknown = scored("nice weather").scored.model_copy(update={"brand": "someone-elses"})
    metrics.observe_scored(unknown)

    def brand_total(brand: str) -> float:
        return sum(
            s.value
            for family in registry.collect()
            if family.name == "earful_mentions_scored"
            for s in family.samples
            if s.name.endswith("_total") and s.labels["brand"] == brand
        )

    assert (brand_total("acmeair"), brand_total("other"), brand_total("none")) == (1, 1, 1)
    value = registry.get_sample_value
    assert value("earful_created_to_scored_seconds_count", {"stage": "streams"}) == 3
    # the 120 s old mention lands above the 60 s bucket, the others below 1 s
    assert value("earful_created_to_scored_seconds_bucket", {"stage": "streams", "le": "1.0"}) == 2
    assert value("earful_created_to_scored_seconds_bucket", {"stage": "streams", "le": "60.0"}) == 2


def test_repeated_and_unknown_brands_are_all_counted_on_bounded_series() -> None:
    registry = CollectorRegistry()
    metrics = ScoringMetrics(registry, ["raw"], ["scored"], brands=["acmeair"])
    complaint = scored("@acmeair my flight was cancelled").scored
    for n in range(50):
        metrics.observe_scored(complaint)
        metrics.observe_scored(complaint.model_copy(update={"brand": f"connector-brand-{n}"}))
    labels = {
        "sentiment": complaint.sentiment.label,
        "priority": complaint.priority,
        "needs_response": str(complaint.needs_response).lower(),
    }
    value = registry.get_sample_value
    assert value("earful_mentions_scored_total", {"brand": "acmeair", **labels}) == 50
    assert value("earful_mentions_scored_total", {"brand": "other", **labels}) == 50
    # 50 brand names config does not know share one remembered series, "other"
    assert len(metrics._scored_children) == 2


def test_delivery_latency_is_measured_from_scoring_and_from_creation() -> None:
    registry = CollectorRegistry()
    metrics = StageMetrics(registry, "alerts", ["alerts"], [])
    alert = scored("@acmeair my flight was cancelled and nobody answers", age=600).alert
    assert alert is not None and alert.mention is not None
    metrics.observe_delivered(alert, now=alert.mention.scored_at + timedelta(seconds=3))
    value = registry.get_sample_value
    assert value("earful_scored_to_delivered_seconds_sum", {"stage": "alerts"}) == 3
    end_to_end = value("earful_created_to_delivered_seconds_sum", {"stage": "alerts"})
    assert end_to_end is not None and 600 <= end_to_end < 605


def test_readiness_follows_the_assignment_and_sets_the_gauge() -> None:
    registry = CollectorRegistry()
    metrics = StageMetrics(registry, "alerts", ["alerts"], [])
    listener = ReadinessListener(metrics.health)
    assert metrics.health.readiness() == (False, "starting: not connected to Kafka yet")
    asyncio.run(listener.on_partitions_assigned([("alerts", 0), ("alerts", 1)]))
    assert metrics.health.readiness() == (True, "2 partitions assigned")
    assert registry.get_sample_value("earful_worker_ready", {"stage": "alerts"}) == 1
    asyncio.run(listener.on_partitions_revoked([("alerts", 0)]))
    assert metrics.health.readiness()[0] is False
    asyncio.run(listener.on_partitions_assigned([]))
    ready, reason = metrics.health.readiness()
    assert not ready and "more workers than partitions" in reason
    assert registry.get_sample_value("earful_worker_ready", {"stage": "alerts"}) == 0


def test_liveness_fails_when_the_loop_stops_beating() -> None:
    health = HealthState("streams", stall_seconds=0.0)
    assert health.liveness() == (True, "starting")
    health.beat()
    live, reason = health.liveness()
    assert not live and "event loop silent" in reason
    health.stall_seconds = 60
    assert health.liveness() == (True, "event loop running")
