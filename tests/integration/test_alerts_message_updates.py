"""A state change on the alert-state topic shows on the messages already sent: Slack's
message is rewritten (chat.update) and PagerDuty's incident acknowledged, each once, also
across a restart of the alert worker."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from alerts.response.records import AlertState
from streams.topics import ALERT_STATE, ALERTS, topic_name
from tests.conftest import SettingsFactory
from tests.integration.alerting import alert
from tests.support.fakes.pagerduty import ROUTING_KEY, FakePagerDuty
from tests.support.fakes.slack import BOT_TOKEN, FakeSlack, SlackMessage
from tests.support.kafka import publish
from tests.support.processes import start_worker, stop, worker_logs

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.timeout(180)]


def wait_for(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


def state(alert_id: str, name: str, by: str) -> bytes:
    return (
        AlertState(alert_id=alert_id, state=name, by=by, at=datetime.now(UTC))
        .model_dump_json()
        .encode()
    )  # type: ignore[arg-type]


def block_texts(message: SlackMessage) -> str:
    return orjson.dumps(message.blocks).decode()


def test_acknowledged_and_resolved_alerts_update_their_slack_message_and_pagerduty(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    slack, pagerduty = FakeSlack(), FakePagerDuty()
    with slack.serve(), pagerduty.serve():
        settings, config = make_settings(
            receivers=[
                {
                    "name": "care",
                    "slack_configs": [
                        {
                            "app_token": BOT_TOKEN,
                            "channel": "#care-alerts",
                            "app_url": slack.api_url,
                        }
                    ],
                    "pagerduty_configs": [
                        {"routing_key": ROUTING_KEY, "url": pagerduty.enqueue_url}
                    ],
                }
            ],
            route={"receiver": "care"},
        )
        bootstrap, prefix = settings.kafka.bootstrap_servers, settings.kafka.topic_prefix
        states = topic_name(ALERT_STATE, prefix)
        worker = start_worker("alerts", config, tmp_path)
        try:
            publish(
                bootstrap,
                topic_name(ALERTS, prefix),
                [alert("mention:test:1"), alert("mention:test:2")],
            )
            assert wait_for(lambda: len(slack.messages) == 2 and len(pagerduty.events) == 2, 60), (
                worker_logs(tmp_path)
            )
            publish(
                bootstrap,
                states,
                [state("mention:test:1", "acknowledged", "slack:mira")],
                [b"mention:test:1"],
            )
            first = next(m for m in slack.messages.values() if '"mention:test:1"' in block_texts(m))
            assert wait_for(lambda: len(first.updates) == 1, 30), worker_logs(tmp_path)
            assert wait_for(
                lambda: pagerduty.alerts and "acknowledged" in pagerduty.alerts.values(), 30
            )
        finally:
            stop(worker)

        # A restart reads the state topic again from its start: nothing is updated twice;
        # a change made while the worker was down is shown once it is back.
        publish(
            bootstrap,
            states,
            [state("mention:test:2", "resolved", "email:lee")],
            [b"mention:test:2"],
        )
        second = next(m for m in slack.messages.values() if m is not first)
        restarted = start_worker("alerts", config, tmp_path)
        try:
            assert wait_for(lambda: len(second.updates) == 1, 60), worker_logs(tmp_path)
            time.sleep(3)  # a second update of either message would come now
        finally:
            stop(restarted)

    logs = worker_logs(tmp_path)
    assert len(first.updates) == 1 and len(second.updates) == 1, logs
    for message, update, label in (
        (first, first.updates[0], "Acknowledged by slack:mira"),
        (second, second.updates[0], "Resolved by email:lee"),
    ):
        assert (update["channel"], update["ts"]) == (message.channel, message.ts)
        assert label in orjson.dumps(update["blocks"]).decode(), update["blocks"]
    actions = sorted(e["event_action"] for e in pagerduty.events)
    assert actions == ["acknowledge", "resolve", "trigger", "trigger"], pagerduty.events
