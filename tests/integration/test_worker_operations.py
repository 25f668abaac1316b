"""What an SRE sees of running workers: /readyz and /healthz, lag and latency metrics,
JSON logs with ids and no secrets, and a clean exit on SIGTERM."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from earful.localkafka.broker import free_port
from streams.topics import MENTIONS_RAW, topic_name
from tests.conftest import SettingsFactory
from tests.support.kafka import publish
from tests.support.processes import start_worker, stop, worker_logs
from tests.support.receivers import recording_server
from tests.support.scrape import get, samples

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.timeout(240)]

SECRET = "whsec_bmV2ZXItcHJpbnQtdGhpcy1zZWNyZXQtdmFsdWUtMzI="  # never-print-this-secret-value-32


def wait_for(check: object, what: str, workdir: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}\n{worker_logs(workdir)}")


def test_health_metrics_json_logs_and_sigterm(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    with recording_server() as hook:
        settings, config = make_settings(
            receivers=[{"name": "hook", "webhook_configs": [{"url": hook.url, "secret": SECRET}]}],
            route={"receiver": "hook"},
        )
        prefix = settings.kafka.topic_prefix
        streams_port, alerts_port = free_port(), free_port()
        json_logs = ("--log-format", "json")
        streams = start_worker(
            "streams", config, tmp_path, "--metrics-port", str(streams_port), *json_logs
        )
        alerts = start_worker(
            "alerts", config, tmp_path, "--metrics-port", str(alerts_port), *json_logs
        )
        try:
            for port in (streams_port, alerts_port):
                wait_for(lambda p=port: get(p, "/readyz")[0] == 200, f"/readyz on {port}", tmp_path)
                assert get(port, "/healthz")[0] == 200
            assert orjson.loads(get(alerts_port, "/readyz")[1])["reason"] == "2 partitions assigned"

            created = datetime.now(UTC).isoformat()
            urgent = orjson.dumps(
                {
                    "schema_version": 1,
                    "id": "test:ops-1",
                    "source": "test",
                    "text": "@acmeair my flight was cancelled and nobody answers",
                    "created_at": created,
                    "author": {"id": "1", "handle": "mira"},
                }
            )
            publish(
                settings.kafka.bootstrap_servers,
                topic_name(MENTIONS_RAW, prefix),
                [urgent, b"not json"],
            )
            assert len(hook.wait_for(1, timeout=60)) == 1, worker_logs(tmp_path)

            def latency_counted() -> bool:
                end_to_end = samples(alerts_port, "earful_created_to_delivered_seconds_count")
                scored = samples(streams_port, "earful_created_to_scored_seconds_count")
                return sum(end_to_end.values()) == 1 and sum(scored.values()) == 1

            wait_for(latency_counted, "latency histograms", tmp_path)

            def lag_drained() -> bool:
                lag = samples(streams_port, "earful_consumer_lag_messages")
                return len(lag) == 2 and sum(lag.values()) == 0  # both partitions, committed

            wait_for(lag_drained, "consumer lag of 0 on both partitions", tmp_path, timeout=60)
        finally:
            started = time.monotonic()
            stop(streams)
            stop(alerts)
            took = time.monotonic() - started
        assert (streams.returncode, alerts.returncode) == (0, 0), worker_logs(tmp_path)
        assert took < 20  # neither needed killing

    logs = worker_logs(tmp_path)
    assert SECRET not in logs
    events = [
        orjson.loads(line)
        for path in sorted(tmp_path.glob("*.log"))
        for line in path.read_text().splitlines()
        if line.strip()
    ]  # every line is JSON: orjson raises on any other
    by_event = {e["event"]: e for e in events}
    assert by_event["alert raised"]["alert_id"] == "mention:test:ops-1"
    assert by_event["alert raised"]["mention_id"] == "test:ops-1"
    assert by_event["alert delivered"]["alert_id"] == "mention:test:ops-1"
    assert by_event["message dead-lettered"]["reason"] == "not_json"
