"""A flood of mentions, valid and invalid mixed, through the streams and alert workers:
every mention is scored or dead-lettered (in = scored + dead-lettered), and every alert
raised reaches the webhook (counted by alert id)."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from pathlib import Path

import orjson
import pytest

from bench.harness import end_offsets
from streams.topics import ALERTS, DEAD_LETTERS, MENTIONS_RAW, MENTIONS_SCORED, topic_name
from tests.conftest import SettingsFactory
from tests.support.faults import alert_ids, report, same_idempotency_key, wait_for_ids
from tests.support.kafka import publish, read_topic
from tests.support.mentions import TEXTS, mention, nasty_invalid_messages
from tests.support.processes import worker_logs, workers
from tests.support.receivers import recording_server

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

VALID, INVALID = 2600, 400


def flood() -> tuple[list[bytes], list[str], list[bytes]]:
    """(messages in publishing order, the valid mentions' ids, the invalid messages)."""
    tags = ("".join(t) for t in itertools.product("abcdefghijklmnopqrstuvwxyz", repeat=3))
    # A distinct tag per text: exact copies would be near-duplicates, which alert once.
    valid = [mention(i, f"{TEXTS[i % len(TEXTS)]} (case {next(tags)})") for i in range(VALID)]
    small = [m for m, _ in nasty_invalid_messages() if len(m) < 20_000]
    invalid = [small[i % len(small)] for i in range(INVALID)]
    mixed, step = [], VALID // INVALID
    for i in range(INVALID):
        mixed += [*valid[i * step : (i + 1) * step], invalid[i]]
    mixed += valid[INVALID * step :]
    return mixed, [f"test:{i}" for i in range(VALID)], invalid


def settled_count(bootstrap: str, topic: str, quiet: float = 6.0, timeout: float = 120) -> int:
    """The topic's record count once it stopped growing for ``quiet`` seconds."""
    deadline = time.monotonic() + timeout
    count, since = end_offsets(bootstrap, topic), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < quiet:
        time.sleep(1)
        if (now := end_offsets(bootstrap, topic)) != count:
            count, since = now, time.monotonic()
    return count


@pytest.mark.timeout(900)
def test_a_flood_adds_up_from_mentions_to_delivered_alerts(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    messages, valid_ids, invalid = flood()
    with recording_server() as hook:
        settings, config = make_settings(
            receivers=[{"name": "hook", "webhook_configs": [{"url": hook.url}]}],
            route={"receiver": "hook"},
        )
        bootstrap, prefix = settings.kafka.bootstrap_servers, settings.kafka.topic_prefix
        with workers(config, tmp_path, "streams", "alerts"):

            def publish_in_bursts() -> None:
                for start in range(0, len(messages), 500):
                    publish(
                        bootstrap, topic_name(MENTIONS_RAW, prefix), messages[start : start + 500]
                    )

            publisher = threading.Thread(target=publish_in_bursts)
            publisher.start()
            publisher.join(timeout=120)
            scored = read_topic(
                bootstrap, topic_name(MENTIONS_SCORED, prefix), expect=VALID, timeout=400, settle=3
            )
            dead = read_topic(
                bootstrap, topic_name(DEAD_LETTERS, prefix), expect=INVALID, timeout=120, settle=3
            )
            alerts_topic = topic_name(ALERTS, prefix)
            alerts = read_topic(
                bootstrap, alerts_topic, expect=settled_count(bootstrap, alerts_topic), timeout=60
            )
            raised = Counter(str(orjson.loads(r.value or b"")["alert_id"]) for r in alerts)
            received = wait_for_ids(hook, raised, timeout=300)

    logs = worker_logs(tmp_path)
    scored_ids = Counter(str(orjson.loads(r.value or b"")["id"]) for r in scored)
    delivered = alert_ids(received)
    assert set(scored_ids) == set(valid_ids), logs
    assert sorted(r.value or b"" for r in dead) == sorted(invalid), logs
    assert all(r.headers["earful.dlq.stage"] == b"streams" for r in dead)
    assert all(r.headers["earful.dlq.reason"] for r in dead)
    assert len(scored_ids) + len(dead) == len(messages)  # in = scored + dead-lettered
    assert raised, logs
    assert set(delivered) == set(raised), logs  # alerts delivered == alerts raised
    assert same_idempotency_key(received)
    report(
        "flood through streams and alerts",
        sent=len(messages),
        scored=len(scored_ids),
        rescored=sum(scored_ids.values()) - len(scored_ids),
        dead_lettered=len(dead),
        alerts_raised=len(raised),
        alerts_received=sum(delivered.values()),
        alerts_distinct=len(delivered),
        duplicates=sum(delivered.values()) - len(delivered),
        reasons=dict(Counter(r.headers["earful.dlq.reason"].decode() for r in dead)),
    )
