"""The scoring worker's state on the real broker: one alert per mention id (also across a
restart), one alert plus "+N similar" for near copies, one crisis alert per burst."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from streams.topics import ALERTS, MENTIONS_RAW, MENTIONS_SCORED, topic_name
from tests.conftest import SettingsFactory
from tests.support.kafka import publish, read_topic
from tests.support.processes import worker_logs, workers

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def mention(mention_id: str, text: str, conversation: str | None = None) -> bytes:
    return orjson.dumps(
        {
            "schema_version": 1,
            "id": f"test:{mention_id}",
            "source": "test",
            "text": text,
            "created_at": datetime.now(UTC).isoformat(),
            "author": {"id": "u1", "handle": "user1"},
            "conversation_id": conversation or f"thread-{mention_id}",
        }
    )


def wait_until_ready(workdir: Path, timeout: float = 90.0) -> None:
    """Wait for the newest streams worker to say it is ready. Messages published while a
    restarted Faust worker recovers its tables were sometimes not fetched until a later
    restart (they stay uncommitted, so nothing is lost); this test is about state."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        logs = sorted(workdir.glob("worker-*.log"), key=lambda p: p.stat().st_mtime)
        if logs and "Worker]: Ready" in logs[-1].read_text(errors="replace"):
            return
        time.sleep(0.5)
    raise AssertionError(f"streams worker not ready after {timeout} s")


def alert_ids(bootstrap: str, prefix: str, expect: int, settle: float = 3.0) -> list[str]:
    records = read_topic(
        bootstrap, topic_name(ALERTS, prefix), expect=expect, timeout=90, settle=settle
    )
    return [orjson.loads(r.value or b"")["alert_id"] for r in records]


@pytest.mark.timeout(300)
def test_duplicate_id_across_a_restart_and_near_copies_alert_once(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    settings, config_path = make_settings(scoring={"spikes": {"enabled": False}})
    bootstrap, prefix = settings.kafka.bootstrap_servers, settings.kafka.topic_prefix
    raw = topic_name(MENTIONS_RAW, prefix)
    complaint = mention("1", "@acmeair my bag was lost and nobody answers the phone")
    copies = [
        mention(
            f"copy-{i}", f"RT @someone{i}: @acmeair my bag was LOST and nobody answers the phone!"
        )
        for i in range(5)
    ]
    with workers(config_path, tmp_path, "streams"):
        publish(bootstrap, raw, [complaint, *copies], keys=[b"thread-1"] * 6)
        first = alert_ids(bootstrap, prefix, expect=3)
    assert first.count("mention:test:1") == 1, worker_logs(tmp_path)
    # Five copies: no alert of their own, follow-ups at 1 and 5 similar.
    assert sorted(first) == [
        "mention:test:1",
        "mention:test:1:similar:1",
        "mention:test:1:similar:5",
    ], worker_logs(tmp_path)

    marker = mention("2", "@acmeair where is my refund? still waiting after three weeks")
    with workers(config_path, tmp_path, "streams"):
        wait_until_ready(tmp_path)
        # The same mention id again after the restart, then a new mention as a marker in
        # the same thread: once the marker is out, the repeat has been processed too.
        publish(bootstrap, raw, [complaint, marker], keys=[b"thread-1", b"thread-1"])
        scored = read_topic(bootstrap, topic_name(MENTIONS_SCORED, prefix), expect=8, timeout=90)
        second = alert_ids(bootstrap, prefix, expect=4)
    scored_ids = [orjson.loads(r.value or b"")["id"] for r in scored]
    assert scored_ids.count("test:1") == 2, worker_logs(tmp_path)  # scored again, not alerted
    assert "test:2" in scored_ids, worker_logs(tmp_path)
    assert sorted(second) == [
        "mention:test:1",
        "mention:test:1:similar:1",
        "mention:test:1:similar:5",
        "mention:test:2",
    ], worker_logs(tmp_path)


@pytest.mark.timeout(300)
def test_a_burst_raises_exactly_one_crisis_and_then_resolves(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    spikes = {
        "window_seconds": 10,
        "baseline_windows": 6,
        "sensitivity": 3,
        "min_volume": 6,
        "min_negative_share": 0.5,
        "quiet_windows_to_resolve": 2,
    }
    settings, config_path = make_settings(
        scoring={"spikes": spikes, "duplicates": {"enabled": False}}
    )
    bootstrap, prefix = settings.kafka.bootstrap_servers, settings.kafka.topic_prefix
    raw = topic_name(MENTIONS_RAW, prefix)
    with workers(config_path, tmp_path, "streams"):
        publish(bootstrap, raw, [mention("calm", "Flew acme air today, all fine.")])
        # Quiet windows close (by timer ticks) and become the baseline.
        time.sleep(45)
        flights = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
        burst = [
            mention(f"burst-{i}", f"@acmeair the app is down, cannot check in, flight {w}")
            for i, w in enumerate(flights)
        ]
        publish(bootstrap, raw, burst)
        records = read_topic(
            bootstrap, topic_name(ALERTS, prefix), expect=len(burst) + 2, timeout=120, settle=5
        )
    alerts = [orjson.loads(r.value or b"") for r in records]
    crises = [a for a in alerts if a["kind"] == "crisis"]
    resolved = [a for a in alerts if a["kind"] == "crisis_resolved"]
    assert len(crises) == 1, worker_logs(tmp_path)
    crisis = crises[0]
    assert crisis["labels"]["brand"] == "acmeair"
    assert crisis["priority"] == "P1"
    assert crisis["alert_id"].startswith("crisis:brand:acmeair:")
    assert any(r.startswith("example: @acmeair the app is down") for r in crisis["reasons"])
    assert len(resolved) == 1, worker_logs(tmp_path)
    assert resolved[0]["alert_id"] == crisis["alert_id"] + ":resolved"


@pytest.mark.timeout(240)
def test_expired_dedupe_entries_are_deleted_with_a_tombstone_in_their_changelog(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    settings, config_path = make_settings(
        scoring={
            "spikes": {"enabled": False},
            "duplicates": {"window_seconds": 2, "remember_ids_seconds": 2},
        }
    )
    bootstrap, prefix = settings.kafka.bootstrap_servers, settings.kafka.topic_prefix
    raw, scored = topic_name(MENTIONS_RAW, prefix), topic_name(MENTIONS_SCORED, prefix)

    def complaints(batch: str) -> list[bytes]:
        # One key, so one partition, where the later batch's events do the sweeping.
        return [
            mention(f"{batch}-{i}", f"@acmeair my flight was cancelled, booking {code}", "t1")
            for i, code in enumerate(("alpha", "bravo", "charlie", "delta", "echo"))
        ]

    with workers(config_path, tmp_path, "streams"):
        wait_until_ready(tmp_path)
        publish(bootstrap, raw, complaints("old"), [b"t1"] * 5)
        read_topic(bootstrap, scored, expect=5, timeout=90, settle=0)
        time.sleep(3)  # both windows pass
        publish(bootstrap, raw, complaints("new"), [b"t1"] * 5)
        read_topic(bootstrap, scored, expect=10, timeout=90, settle=0)
        changelog = f"{prefix}earful-streams-alerted-mentions-changelog"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            records = read_topic(bootstrap, changelog, expect=15, timeout=10, settle=1)
            deleted = {(r.key or b"").decode() for r in records if r.value is None}
            if len(deleted) >= 5:
                break
    logs = worker_logs(tmp_path)
    assert len(deleted) == 5 and all("test:old-" in key for key in deleted), (deleted, logs)
    written = {(r.key or b"").decode() for r in records if r.value is not None}
    assert sum("test:new-" in key for key in written) == 5, (written, logs)
