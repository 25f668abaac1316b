"""A Slack button click reaches the real responder process and lands on the state topic."""

from __future__ import annotations

from pathlib import Path

import httpx
import orjson
import pytest

from alerts.response.test_slack_verify import block_actions
from earful.localkafka.broker import free_port
from streams.topics import ALERT_STATE, topic_name
from tests.conftest import SettingsFactory
from tests.support.kafka import read_topic
from tests.support.processes import start_worker, stop, worker_logs
from tests.support.responder import response_section, slack_headers, wait_until_ready

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.timeout(180)]


def test_a_verified_slack_click_writes_the_alert_state(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    port = free_port()
    settings, config = make_settings(response=response_section(port))
    process = start_worker("responder", config, tmp_path)
    try:
        wait_until_ready(port, process)
        url = f"http://127.0.0.1:{port}/slack/interactivity"
        ack = block_actions("earful_ack", "mention:test:1", {"id": "U1", "username": "mira"})
        forged = block_actions("earful_resolve", "mention:test:1", {"id": "U2"})
        refused = httpx.post(url, content=forged, headers=slack_headers(forged, "wrong-secret"))
        accepted = httpx.post(url, content=ack, headers=slack_headers(ack))
        bootstrap = settings.kafka.bootstrap_servers
        records = read_topic(
            bootstrap,
            topic_name(ALERT_STATE, settings.kafka.topic_prefix),
            expect=1,
            timeout=30,
            settle=2,
        )
    finally:
        stop(process)
    assert refused.status_code == 401, worker_logs(tmp_path)
    assert accepted.status_code == 200, worker_logs(tmp_path)
    assert [r.key for r in records] == [b"mention:test:1"]
    state = orjson.loads(records[0].value or b"")
    assert (state["alert_id"], state["state"], state["by"]) == (
        "mention:test:1",
        "acknowledged",
        "slack:mira",
    )
    assert state["until"] is None and state["at"].endswith("Z")
