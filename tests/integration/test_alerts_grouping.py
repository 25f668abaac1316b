"""Grouping by conversation, and the fallback receiver after the retry cap, in the real
alert worker process on the real broker."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import orjson
import pytest

from streams.topics import ALERTS, DEAD_LETTERS, topic_name
from tests.conftest import SettingsFactory
from tests.integration.alerting import alert, body_id
from tests.support.kafka import publish, read_topic
from tests.support.processes import start_worker, stop, worker_logs
from tests.support.receivers import Received, recording_server

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.timeout(150)]


def test_alerts_of_one_conversation_arrive_as_one_notification(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    with recording_server() as hook:
        settings, config = make_settings(
            receivers=[{"name": "hook", "webhook_configs": [{"url": hook.url}]}],
            route={"receiver": "hook", "group_by": ["topic"], "group_wait": "2s"},
        )
        bootstrap, prefix = settings.kafka.bootstrap_servers, settings.kafka.topic_prefix
        records = [alert(f"bag:{i}", topic="baggage") for i in range(4)]
        records.append(alert("delay:0", topic="delays"))
        worker = start_worker("alerts", config, tmp_path)
        try:
            publish(bootstrap, topic_name(ALERTS, prefix), records)
            received = hook.wait_for(2, timeout=60)
        finally:
            stop(worker)

    logs = worker_logs(tmp_path)
    bodies = {body_id(r.body): orjson.loads(r.body) for r in received}
    assert len(received) == 2, logs
    group = next(b for b in bodies.values() if b["kind"] == "digest")
    assert group["labels"]["topic"] == "baggage" and group["labels"]["count"] == "4"
    assert sorted(group["reasons"]) == sorted(f"[P2] mention bag:{i}" for i in range(4))
    assert "delay:0" in bodies  # a group of one is the alert itself
    assert all(r.headers["webhook-id"] == body_id(r.body) for r in received)


def test_after_the_retry_cap_the_alert_is_dead_lettered_and_the_fallback_is_told(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    with recording_server(lambda r: (400, {}, b"bad")) as broken, recording_server() as pager:
        settings, config = make_settings(
            receivers=[
                {"name": "care", "webhook_configs": [{"url": broken.url}]},
                {"name": "care-pager", "webhook_configs": [{"url": pager.url}]},
            ],
            teams=[{"name": "air-care", "brands": ["acmeair"], "fallback_receiver": "care-pager"}],
            route={"receiver": "care"},
        )
        bootstrap, prefix = settings.kafka.bootstrap_servers, settings.kafka.topic_prefix
        original = alert("mention:lost")
        worker = start_worker("alerts", config, tmp_path)
        try:
            publish(bootstrap, topic_name(ALERTS, prefix), [original])
            told = pager.wait_for(1, timeout=60)
            dead = read_topic(bootstrap, topic_name(DEAD_LETTERS, prefix), expect=1, timeout=30)
        finally:
            stop(worker)

    logs = worker_logs(tmp_path)
    assert len(broken.requests) == 1, logs  # 400 is permanent: no retry
    assert [body_id(r.body) for r in told] == ["undelivered:care:webhook:mention:lost"], logs
    notice = orjson.loads(told[0].body)
    assert notice["summary"].startswith("NOT DELIVERED to care:")
    assert notice["labels"]["undelivered_receiver"] == "care"
    assert [r.value for r in dead] == [original]
    assert dead[0].headers["earful.dlq.reason"] == b"delivery_failed"
    assert dead[0].headers["earful.dlq.stage"] == b"alerts"


def test_a_group_cut_off_by_a_crash_is_sent_again_under_the_same_id(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    release = threading.Event()

    def hold_first(request: Received) -> tuple[int, dict[str, str], bytes] | None:
        if not release.is_set():
            release.wait(60)  # the worker is killed while the group is being sent
        return None

    with recording_server(hold_first) as hook:
        settings, config = make_settings(
            receivers=[{"name": "hook", "webhook_configs": [{"url": hook.url}]}],
            route={"receiver": "hook", "group_by": ["topic"], "group_wait": "1s"},
            delivery={"commit_interval_seconds": 120},
        )
        bootstrap, prefix = settings.kafka.bootstrap_servers, settings.kafka.topic_prefix
        records = [alert(f"bag:{i}", topic="baggage") for i in range(3)]
        first = start_worker("alerts", config, tmp_path)
        try:
            publish(bootstrap, topic_name(ALERTS, prefix), records, [b"thread"] * 3)
            cut_off = hook.wait_for(1, timeout=60)
            first.kill()
            first.wait()
        finally:
            release.set()
            stop(first)
        second = start_worker("alerts", config, tmp_path)
        try:
            received = hook.wait_for(2, timeout=90)
            time.sleep(2)
            received = hook.wait_for(0)
        finally:
            stop(second)

    logs = worker_logs(tmp_path)
    assert len(cut_off) == 1 and len(received) == 2, logs
    ids = [r.headers["webhook-id"] for r in received]
    assert ids[0] == ids[1] == body_id(received[1].body), logs
    assert orjson.loads(received[1].body)["labels"]["count"] == "3"
