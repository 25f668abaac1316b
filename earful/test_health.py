"""The worker's HTTP port: /metrics, /healthz and /readyz; and the lag arithmetic."""

from __future__ import annotations

import urllib.error
import urllib.request

import orjson
from kafka import TopicPartition
from prometheus_client import CollectorRegistry

from earful.health import HealthServer
from earful.lag import partition_lag
from streams.metrics import StageMetrics


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_health_endpoints_follow_the_health_state() -> None:
    registry = CollectorRegistry()
    metrics = StageMetrics(registry, "alerts", ["earful.alerts.v1"], [])
    server = HealthServer(registry, metrics.health, "127.0.0.1", 0).start()
    base = f"http://127.0.0.1:{server.port}"
    try:
        status, body = get(base + "/readyz")
        assert status == 503
        assert orjson.loads(body) == {
            "ok": False,
            "stage": "alerts",
            "reason": "starting: not connected to Kafka yet",
        }
        assert get(base + "/healthz")[0] == 200

        metrics.health.set_ready(True, "2 partitions assigned")
        status, body = get(base + "/readyz")
        assert (status, orjson.loads(body)["reason"]) == (200, "2 partitions assigned")

        status, text = get(base + "/metrics")
        assert status == 200
        assert b'earful_worker_ready{stage="alerts"} 1.0' in text
        consumed = b'earful_messages_consumed_total{stage="alerts",topic="earful.alerts.v1"} 0.0'
        assert consumed in text

        metrics.health.stall_seconds = 0
        metrics.health.beat()
        status, body = get(base + "/healthz")
        assert status == 503 and "silent" in orjson.loads(body)["reason"]
        assert get(base + "/nope")[0] == 404
    finally:
        server.stop()


def test_lag_is_end_minus_committed_and_all_of_a_never_committed_partition() -> None:
    p0, p1, p2 = (TopicPartition("t", i) for i in range(3))
    lag = partition_lag(
        end={p0: 100, p1: 50, p2: 7},
        committed={p0: 90, p1: None, p2: 9},
        beginning={p0: 0, p1: 20, p2: 0},
    )
    assert lag == {p0: 10, p1: 30, p2: 0}
