"""Silences read from the silences topic, and inhibition by an open crisis, in the real
alert worker process on the real broker."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from earful.admin import ensure_topics
from streams.topics import ALERTS, DELIVERY_AUDIT, SILENCES, topic_name
from tests.conftest import SettingsFactory
from tests.integration.alerting import alert, body_id, silence
from tests.support.kafka import publish, read_topic
from tests.support.processes import start_worker, stop, worker_logs
from tests.support.receivers import recording_server

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.timeout(150)]


def audit_events(bootstrap: str, topic: str, expect: int) -> list[dict[str, object]]:
    return [orjson.loads(r.value or b"") for r in read_topic(bootstrap, topic, expect=expect)]


def test_a_silence_on_the_topic_suppresses_matching_alerts(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    with recording_server() as hook:
        settings, config = make_settings(
            receivers=[{"name": "hook", "webhook_configs": [{"url": hook.url}]}],
            route={"receiver": "hook"},
        )
        bootstrap, prefix = settings.kafka.bootstrap_servers, settings.kafka.topic_prefix
        silences = topic_name(SILENCES, prefix)
        ensure_topics(settings)
        # Silences written before the worker starts: it reads them all before any alert.
        publish(
            bootstrap,
            silences,
            [
                silence("s-1", ['team="air-care"', 'topic=~"bag.*"']),
                silence("s-deleted", ['team="bank-care"']),
                None,  # a tombstone deletes s-deleted
            ],
            [b"s-1", b"s-deleted", b"s-deleted"],
        )
        worker = start_worker("alerts", config, tmp_path)
        try:
            silenced = [f"air:{i}" for i in range(4)]
            delivered = [f"air-delays:{i}" for i in range(3)] + [f"bank:{i}" for i in range(3)]
            records = [alert(i, topic="baggage") for i in silenced]
            records += [alert(i, topic="delays") for i in delivered[:3]]
            records += [alert(i, team="bank-care", brand="northwind") for i in delivered[3:]]
            publish(bootstrap, topic_name(ALERTS, prefix), records)
            received = hook.wait_for(len(delivered), timeout=60)
            events = audit_events(bootstrap, topic_name(DELIVERY_AUDIT, prefix), expect=10)
            received = hook.wait_for(0)
        finally:
            stop(worker)

    logs = worker_logs(tmp_path)
    assert sorted(body_id(r.body) for r in received) == sorted(delivered), logs
    suppressed = [e for e in events if e["outcome"] == "suppressed"]
    assert sorted(str(e["alert_id"]) for e in suppressed) == sorted(silenced)
    assert {(e["reason"], e["detail"]) for e in suppressed} == {("silenced", "silence s-1")}


def test_an_open_crisis_inhibits_mentions_of_its_brand_and_topic_until_resolved(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    with recording_server() as hook:
        settings, config = make_settings(
            receivers=[{"name": "hook", "webhook_configs": [{"url": hook.url}]}],
            route={"receiver": "hook"},
            inhibit_rules=[
                {
                    "source_matchers": ['kind="crisis"'],
                    "target_matchers": ['kind="mention"'],
                    "equal": ["brand", "topic"],
                }
            ],
        )
        bootstrap, prefix = settings.kafka.bootstrap_servers, settings.kafka.topic_prefix
        alerts_topic = topic_name(ALERTS, prefix)
        key = [b"one-partition"]  # in order, as a crisis and its mentions would be
        worker = start_worker("alerts", config, tmp_path)
        try:
            first = [
                alert("crisis:acmeair:baggage", kind="crisis", priority="P1"),
                alert("m:inhibited"),
                alert("m:other-topic", topic="delays"),
                alert("m:other-brand", brand="northwind"),
            ]
            publish(bootstrap, alerts_topic, first, key * len(first))
            before = hook.wait_for(3, timeout=60)
            resolved = alert("crisis:acmeair:baggage:resolved", kind="crisis_resolved")
            publish(bootstrap, alerts_topic, [resolved, alert("m:after-resolve")], key * 2)
            received = hook.wait_for(5, timeout=60)
            events = audit_events(bootstrap, topic_name(DELIVERY_AUDIT, prefix), expect=6)
            received = hook.wait_for(0)
        finally:
            stop(worker)

    logs = worker_logs(tmp_path)
    assert {body_id(r.body) for r in before} == {
        "crisis:acmeair:baggage",
        "m:other-topic",
        "m:other-brand",
    }, logs
    assert sorted(body_id(r.body) for r in received) == sorted(
        [
            "crisis:acmeair:baggage",
            "m:other-topic",
            "m:other-brand",
            "crisis:acmeair:baggage:resolved",
            "m:after-resolve",
        ]
    ), logs
    suppressed = [e for e in events if e["outcome"] == "suppressed"]
    assert [(e["alert_id"], e["reason"], e["detail"]) for e in suppressed] == [
        ("m:inhibited", "inhibited", "inhibited by crisis:acmeair:baggage")
    ]
