"""An alert nobody acknowledges escalates after its SLA, exactly once per step, while the
responder is stopped and killed between steps; an acknowledged one never escalates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import orjson
import pytest

from alerts.response.links import link_for
from earful.localkafka.broker import free_port
from streams.records import Alert
from streams.topics import ALERT_STATE, ALERTS, topic_name
from tests.conftest import SettingsFactory
from tests.support.kafka import Record, publish, read_topic
from tests.support.processes import start_worker, stop, worker_logs
from tests.support.responder import alert, response_section, wait_until_ready

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.timeout(300)]

SLA_SECONDS = 8
SECOND_STEP_WAIT = 12
CHAIN = {
    "name": "air-care",
    "matchers": ['team="air-care"'],
    "steps": [
        {"wait_seconds": 0, "action": "notify_again"},
        {"wait_seconds": SECOND_STEP_WAIT, "action": "notify_receiver", "receiver": "lead"},
    ],
}


def alerts_in(records: list[Record]) -> list[Alert]:
    return [Alert.model_validate_json(r.value or b"") for r in records]


def test_escalation_survives_restarts_and_sends_each_step_once(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    port = free_port()
    settings, config = make_settings(
        receivers=[{"name": "lead", "console_configs": [{"stream": "stdout"}]}],
        response=response_section(
            port,
            sla={"P2": {"respond_within_seconds": SLA_SECONDS, "business_hours": False}},
            escalation=[CHAIN],
        ),
    )
    bootstrap, prefix = settings.kafka.bootstrap_servers, settings.kafka.topic_prefix
    alerts_topic = topic_name(ALERTS, prefix)
    ignored, acknowledged = alert("mention:test:ignored"), alert("mention:test:acked")

    first = start_worker("responder", config, tmp_path)
    try:
        wait_until_ready(port, first)
        publish(
            bootstrap,
            alerts_topic,
            [ignored.model_dump_json().encode(), acknowledged.model_dump_json().encode()],
            [b"thread-a", b"thread-b"],
        )
        link = link_for(acknowledged.alert_id, "acknowledge", settings, datetime.now(UTC))
        assert httpx.post(link, timeout=10).status_code == 200
    finally:
        stop(first)  # SIGTERM while the SLA of the ignored alert is still running
    before_deadline = alerts_in(read_topic(bootstrap, alerts_topic, expect=99, timeout=3))
    assert datetime.now(UTC) < ignored.created_at + timedelta(seconds=SLA_SECONDS)
    assert [a.kind for a in before_deadline] == ["mention", "mention"], worker_logs(tmp_path)

    second = start_worker("responder", config, tmp_path)
    try:
        wait_until_ready(port, second)
        after_first_step = alerts_in(read_topic(bootstrap, alerts_topic, expect=3, timeout=60))
    finally:
        second.kill()  # SIGKILL between the two steps
        second.wait()
    assert [a.alert_id for a in after_first_step if a.kind == "escalation"] == [
        "escalation:mention:test:ignored:1"
    ], worker_logs(tmp_path)
    step_one = after_first_step[-1]
    assert datetime.now(UTC) < step_one.created_at + timedelta(seconds=SECOND_STEP_WAIT)

    third = start_worker("responder", config, tmp_path)
    try:
        wait_until_ready(port, third)
        everything = alerts_in(read_topic(bootstrap, alerts_topic, expect=4, timeout=60, settle=6))
        states = read_topic(bootstrap, topic_name(ALERT_STATE, prefix), expect=3, timeout=10)
    finally:
        stop(third)
    logs = worker_logs(tmp_path)
    escalations = [a for a in everything if a.kind == "escalation"]
    assert sorted(a.alert_id for a in escalations) == [
        "escalation:mention:test:ignored:1",
        "escalation:mention:test:ignored:2",
    ], logs
    step_two = next(a for a in escalations if a.alert_id.endswith(":2"))
    # The schedule comes from the alert's own time, not from when a process started.
    assert step_two.created_at >= ignored.created_at + timedelta(
        seconds=SLA_SECONDS + SECOND_STEP_WAIT
    )
    assert step_two.labels["receiver"] == "lead"
    assert step_two.labels["kind"] == "escalation"
    assert step_two.labels["escalation_step"] == "2"
    assert step_two.labels["escalated_alert_id"] == "mention:test:ignored"
    assert step_one.labels["escalation_action"] == "notify_again"
    assert "receiver" not in step_one.labels
    # Escalations go to the original's partition, behind it: a restart reads them again.
    records = read_topic(bootstrap, alerts_topic, expect=4, timeout=5, settle=0)
    assert len({r.partition for r in records if r.key == b"thread-a"}) == 1
    final = {r.key: orjson.loads(r.value or b"") for r in states}
    assert final[b"mention:test:acked"]["state"] == "acknowledged"
    assert final[b"mention:test:acked"]["by"] == "link"
    assert final[b"mention:test:ignored"]["state"] == "escalated"
