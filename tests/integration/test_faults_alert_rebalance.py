"""Two alert workers and a rebalance: a second worker joins mid-stream, then the first is
killed. Every alert is delivered; a repeat carries the same ``webhook-id``; the records
the killed worker delivered but never committed are re-read by the survivor and found in
the delivery log, so they are not sent again."""

from __future__ import annotations

import signal
import threading
import time
import uuid
from pathlib import Path

import orjson
import pytest

from earful.localkafka.broker import free_port
from streams.topics import ALERTS, DELIVERY_AUDIT, topic_name
from tests.conftest import SettingsFactory
from tests.integration.alerting import alert
from tests.support.faults import (
    alert_ids,
    dead_letter_count,
    report,
    same_idempotency_key,
    wait_for_ids,
)
from tests.support.kafka import publish, read_topic
from tests.support.processes import start_worker, stop, worker_logs
from tests.support.receivers import recording_server
from tests.support.scrape import get

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

PARTITIONS = 4


def wait_assigned(ports: list[int], partitions: int, workdir: Path, timeout: float = 120) -> None:
    """Until each worker says it is ready with ``partitions`` partitions."""
    wanted = f"{partitions} partitions".encode()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answers = [get(port, "/readyz") for port in ports]
        if all(status == 200 and wanted in body for status, body in answers):
            return
        time.sleep(0.5)
    raise AssertionError(f"not assigned: {answers}\n{worker_logs(workdir)}")


@pytest.mark.timeout(420)
def test_a_rebalance_between_two_alert_workers_sends_nothing_delivered_twice(
    make_settings: SettingsFactory, kafka_bootstrap: str, tmp_path: Path
) -> None:
    prefix = f"t{uuid.uuid4().hex[:10]}."
    with recording_server() as hook:
        _settings, config = make_settings(
            kafka={
                "bootstrap_servers": kafka_bootstrap,
                "topic_prefix": prefix,
                "partitions": {"alerts": PARTITIONS, "dead_letters": 1},
            },
            receivers=[{"name": "hook", "webhook_configs": [{"url": hook.url}]}],
            route={"receiver": "hook"},
            # Offsets are committed only when partitions are revoked or a worker stops, so
            # after the kill the survivor re-reads what the killed worker delivered.
            delivery={"commit_interval_seconds": 300},
        )
        topic = topic_name(ALERTS, prefix)

        def batch(name: str, count: int) -> list[str]:
            ids = [f"mention:{name}:{i}" for i in range(count)]
            keys = [f"thread-{i}".encode() for i in range(count)]
            publish(kafka_bootstrap, topic, [alert(i) for i in ids], keys)
            return ids

        ports = [free_port(), free_port()]
        first = start_worker("alerts", config, tmp_path, "--metrics-port", str(ports[0]))
        second = None
        try:
            wait_assigned(ports[:1], PARTITIONS, tmp_path)
            # A stream arrives while the second worker starts and joins the group.
            streamed: list[str] = []

            def stream() -> None:
                for n in range(12):
                    streamed.extend(batch(f"stream{n}", 10))
                    time.sleep(0.5)

            publisher = threading.Thread(target=stream)
            publisher.start()
            time.sleep(1.0)
            second = start_worker("alerts", config, tmp_path, "--metrics-port", str(ports[1]))
            publisher.join(timeout=120)
            wait_assigned(ports, PARTITIONS // 2, tmp_path)
            # Delivered by both workers, not committed by either.
            shared = batch("shared", 40)
            wait_for_ids(hook, streamed + shared, timeout=120, settle=1)
            before_kill = alert_ids(hook.wait_for(0))
            first.send_signal(signal.SIGKILL)
            first.wait()
            wait_assigned(ports[1:], PARTITIONS, tmp_path, timeout=180)
            after = batch("after", 40)
            received = wait_for_ids(hook, streamed + shared + after, timeout=150)
            audit = read_topic(
                kafka_bootstrap,
                topic_name(DELIVERY_AUDIT, prefix),
                expect=len(streamed + shared + after),
                timeout=60,
                settle=3,
            )
            dead = dead_letter_count(kafka_bootstrap, prefix)
        finally:
            stop(first)
            if second is not None:
                stop(second)

    logs = worker_logs(tmp_path)
    ids = streamed + shared + after
    delivered = alert_ids(received)
    assert set(delivered) == set(ids), logs
    assert same_idempotency_key(received)
    events = [orjson.loads(r.value or b"") for r in audit]
    skipped = {e["alert_id"] for e in events if e["outcome"] == "duplicate"}
    # The survivor re-read the killed worker's uncommitted records and sent none again.
    assert skipped, logs
    assert skipped <= set(before_kill)
    assert all(delivered[i] == 1 for i in skipped), logs
    repeated = {i for i, n in delivered.items() if n > 1}
    assert dead == 0, logs
    report(
        "rebalance between two alert workers",
        sent=len(ids),
        received=sum(delivered.values()),
        distinct=len(delivered),
        duplicates=sum(delivered.values()) - len(delivered),
        repeated_alerts=len(repeated),
        delivered_before_rebalance_reread_not_resent=len(skipped),
        dead_lettered=dead,
    )
