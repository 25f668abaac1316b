"""``bench.faust_floor`` on the real broker: the worker the throughput benchmark measures
as Faust's floor forwards every message once and commits what it forwarded."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bench.harness import group_lag, start_process, stop_all
from bench.throughput import faust_floor_command
from streams.topics import MENTIONS_RAW, MENTIONS_SCORED, topic_name
from tests.conftest import SettingsFactory
from tests.support.kafka import publish, read_topic

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


@pytest.mark.timeout(180)
def test_the_floor_forwards_every_message_once_and_commits(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    settings, config = make_settings()
    bootstrap, prefix = settings.kafka.bootstrap_servers, settings.kafka.topic_prefix
    raw = topic_name(MENTIONS_RAW, prefix)
    values = [f"message {i}".encode() for i in range(300)]
    publish(bootstrap, raw, values, [f"k{i % 7}".encode() for i in range(300)])
    floor = start_process("floor", faust_floor_command(config, tmp_path / "floor"), tmp_path)
    try:
        records = read_topic(
            bootstrap, topic_name(MENTIONS_SCORED, prefix), expect=300, timeout=120, settle=2
        )
        lag = None
        for _ in range(40):  # commits every half second
            lag = group_lag(bootstrap, f"{prefix}earful-floor", raw)
            if lag == 0:
                break
            time.sleep(0.5)
    finally:
        stop_all([floor])
    logs = "".join(p.read_text() for p in tmp_path.glob("floor-*.log"))
    assert sorted(r.value or b"" for r in records) == sorted(values), logs
    assert lag == 0, logs
