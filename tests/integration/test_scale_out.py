"""Two streams workers in one consumer group share the raw topic: every mention is scored
exactly once when nothing fails, and when one worker is stopped mid-stream the other takes
over its partitions and every mention is still scored (at least once)."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from earful.localkafka.broker import free_port
from streams.app import APP_ID
from streams.topics import ALERTS, MENTIONS_RAW, MENTIONS_SCORED, topic_name
from tests.conftest import SettingsFactory
from tests.support.kafka import publish, read_topic, read_until_ids, where_ids_are
from tests.support.processes import start_worker, stop, worker_logs
from tests.support.scrape import get, samples

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.timeout(300)]


def booking_code(i: int) -> str:
    return "".join("abcdefghijklmnopqrstuvwxyz"[int(d)] for d in f"{i:04d}")


def mention(batch: str, i: int) -> tuple[bytes, bytes]:
    conversation = f"thread-{i % 37}"
    value = orjson.dumps(
        {
            "schema_version": 1,
            "id": f"test:{batch}-{i}",
            "source": "test",
            # A booking code in letters keeps each complaint distinct (digits would not:
            # near-identical texts are counted on the first alert, not alerted again).
            "text": f"@acmeair my flight was cancelled, booking {booking_code(i)}"
            if i % 3
            else "acme air was fine",
            "created_at": datetime.now(UTC).isoformat(),
            "author": {"id": f"u{i}", "handle": f"user{i}"},
            "conversation_id": conversation,
        }
    )
    return conversation.encode(), value


def wait_ready(ports: list[int], workdir: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(get(port, "/readyz")[0] == 200 for port in ports):
            return
        time.sleep(0.5)
    answers = [get(port, "/readyz") for port in ports]
    raise AssertionError(f"workers not ready: {answers}\n{worker_logs(workdir)}")


def consumed(port: int) -> float:
    return sum(samples(port, "earful_messages_consumed_total").values())


def test_two_workers_share_the_stream_and_survive_one_stopping(
    make_settings: SettingsFactory, kafka_bootstrap: str, tmp_path: Path
) -> None:
    prefix = f"t{uuid.uuid4().hex[:10]}."
    partitions = {"mentions_raw": 4, "mentions_scored": 4, "alerts": 4, "dead_letters": 1}
    _settings, config = make_settings(
        kafka={
            "bootstrap_servers": kafka_bootstrap,
            "topic_prefix": prefix,
            "partitions": partitions,
        }
    )
    raw = topic_name(MENTIONS_RAW, prefix)
    scored_topic = topic_name(MENTIONS_SCORED, prefix)
    ports = [free_port(), free_port()]
    first, second = (
        start_worker("streams", config, tmp_path, "--metrics-port", str(p)) for p in ports
    )
    try:
        wait_ready(ports, tmp_path)

        # No fault: each mention scored exactly once, and both workers did part of it.
        calm = [mention("calm", i) for i in range(300)]
        publish(kafka_bootstrap, raw, [v for _, v in calm], [k for k, _ in calm])
        scored = read_topic(kafka_bootstrap, scored_topic, expect=300, timeout=120, settle=3)
        ids = Counter(orjson.loads(r.value or b"")["id"] for r in scored)
        assert set(ids) == {f"test:calm-{i}" for i in range(300)}, worker_logs(tmp_path)
        assert max(ids.values()) == 1, "a mention was scored twice with no fault"
        shares = [consumed(port) for port in ports]
        assert all(share > 0 for share in shares) and sum(shares) == 300, shares
        # A conversation keeps its key, so it stays on one partition (and one worker).
        partitions_of = {}
        for r in scored:
            partitions_of.setdefault(r.key, set()).add(r.partition)
        assert all(len(p) == 1 for p in partitions_of.values())

        # Fault: stop the first worker while a stream is arriving.
        storm = [mention("storm", i) for i in range(1200)]

        def publish_slowly() -> None:
            for start in range(0, len(storm), 100):
                chunk = storm[start : start + 100]
                publish(kafka_bootstrap, raw, [v for _, v in chunk], [k for k, _ in chunk])
                time.sleep(0.4)

        publisher = threading.Thread(target=publish_slowly)
        publisher.start()
        time.sleep(2.0)
        stopped_at = time.monotonic()
        stop(first)  # SIGTERM: finishes what it holds, commits, leaves the group
        publisher.join(timeout=60)
        expected = {f"test:calm-{i}" for i in range(300)} | {f"test:storm-{i}" for i in range(1200)}
        scored = read_until_ids(kafka_bootstrap, scored_topic, expected, timeout=180, settle=3)
        took = time.monotonic() - stopped_at
        ids = Counter(orjson.loads(r.value or b"")["id"] for r in scored)
        assert set(ids) == expected, (
            f"missing {len(expected - set(ids))}: {sorted(expected - set(ids))[:5]}\n"
            + where_ids_are(kafka_bootstrap, raw, expected - set(ids), f"{prefix}{APP_ID}")
            + "\n"
            + worker_logs(tmp_path)
        )
        duplicates = {i: n for i, n in ids.items() if n > 1}
        # At least once: a rebalance may replay what was in flight (processed, not yet
        # committed; at most one commit interval of work), never a settled batch.
        assert not any(i.startswith("test:calm-") for i in duplicates)
        print(
            f"\n[scale-out] shares before the stop {shares}; after stopping one of two "
            f"workers mid-stream: {len(expected)} mentions all scored, {len(duplicates)} "
            f"scored twice, all done {took:.1f} s after the stop"
        )
        status, body = get(ports[1], "/readyz")
        assert status == 200 and b"4 partitions" in body, body

        # State survives the rebalance: the remaining worker took over the stopped one's
        # partitions with their dedupe tables (rebuilt from the changelog), so the calm
        # mentions published again raise no second alert for any mention id.
        publish(kafka_bootstrap, raw, [v for _, v in calm], [k for k, _ in calm])
        read_topic(
            kafka_bootstrap, scored_topic, expect=1800 + len(duplicates), timeout=180, settle=3
        )
        alerts = read_topic(
            kafka_bootstrap, topic_name(ALERTS, prefix), expect=1, timeout=30, settle=3
        )
        calm_alerts = Counter(
            alert_id
            for r in alerts
            if (alert_id := orjson.loads(r.value or b"")["alert_id"]).startswith(
                "mention:test:calm-"
            )
            and ":similar:" not in alert_id
        )
        assert calm_alerts, "the calm complaints raised no alert at all"
        assert max(calm_alerts.values()) == 1, {k: n for k, n in calm_alerts.items() if n > 1}
        print(
            f"[scale-out] {len(calm_alerts)} calm alerts, none raised again after the "
            "rebalance when their mentions were published a second time"
        )
    finally:
        stop(first)
        stop(second)
