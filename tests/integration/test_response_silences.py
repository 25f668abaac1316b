"""Silences through the CLI and the real responder, kept on the compacted silences topic."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import orjson
import pytest

from earful.localkafka.broker import free_port
from streams.topics import SILENCES, topic_name
from tests.conftest import SettingsFactory
from tests.support.kafka import read_topic
from tests.support.processes import start_worker, stop, worker_logs
from tests.support.responder import response_section, wait_until_ready

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.timeout(240)]


def earful(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "earful", "--config", str(config), "silence", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_silences_are_added_listed_expired_and_outlive_a_restart(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    port = free_port()
    settings, config = make_settings(response=response_section(port))
    topic = topic_name(SILENCES, settings.kafka.topic_prefix)
    process = start_worker("responder", config, tmp_path)
    try:
        wait_until_ready(port, process)
        added = earful(
            config,
            "add",
            'team="air-care"',
            'brand=~"acme.*"',
            "--duration",
            "2h",
            "--comment",
            "planned outage",
            "--author",
            "ana",
        )
        assert added.returncode == 0, added.stderr + worker_logs(tmp_path)
        silence_id = added.stdout.strip()
        refused = earful(config, "add", 'team=~".*"', "--comment", "everything")
        assert refused.returncode == 1
        assert "would mute every alert" in refused.stderr
        listed = earful(config, "list", "--status", "active")
        assert silence_id in listed.stdout and "planned outage" in listed.stdout
        expired = earful(config, "expire", silence_id)
        assert expired.returncode == 0 and f"{silence_id} expired at" in expired.stdout
    finally:
        stop(process)

    records = read_topic(settings.kafka.bootstrap_servers, topic, expect=2, timeout=30)
    assert [r.key for r in records] == [silence_id.encode()] * 2
    created, ended = (orjson.loads(r.value or b"") for r in records)
    assert set(created) == {"id", "matchers", "starts_at", "ends_at", "created_by", "comment"}
    assert created["matchers"] == ['team="air-care"', 'brand=~"acme.*"']
    assert created["created_by"] == "ana"
    hours = datetime.fromisoformat(created["ends_at"]) - datetime.fromisoformat(
        created["starts_at"]
    )
    assert hours.total_seconds() == 7200
    assert datetime.fromisoformat(ended["ends_at"]) < datetime.fromisoformat(created["ends_at"])

    again = start_worker("responder", config, tmp_path)
    try:
        wait_until_ready(port, again)
        after_restart = earful(config, "list", "--status", "expired")
    finally:
        stop(again)
    assert silence_id in after_restart.stdout, after_restart.stderr + worker_logs(tmp_path)
