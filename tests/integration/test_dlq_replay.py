"""``earful dlq replay`` on the real broker: replaying bad messages without a fix only
dead-letters them again; replaying after the fix drains them through the pipeline."""

from __future__ import annotations

import contextlib
import io
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from earful.cli import main
from streams.topics import ALERTS, DEAD_LETTERS, MENTIONS_RAW, topic_name
from tests.conftest import SettingsFactory
from tests.support.kafka import Record, publish, read_topic
from tests.support.processes import worker_logs, workers
from tests.support.receivers import Received, recording_server

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.timeout(300)]

BAD = [b"not json at all", b"{broken", b'{"schema_version": 1, "id": "test:half"}']


def earful(config: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["--config", str(config), *args])
    return code, out.getvalue()


def reasons(records: list[Record]) -> list[str]:
    return sorted(r.headers["earful.dlq.reason"].decode() for r in records)


def test_replay_without_a_fix_dead_letters_again_and_the_group_remembers(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    settings, config = make_settings()
    bootstrap, prefix = settings.kafka.bootstrap_servers, settings.kafka.topic_prefix
    dlq, raw = topic_name(DEAD_LETTERS, prefix), topic_name(MENTIONS_RAW, prefix)
    with workers(config, tmp_path, "streams"):
        publish(bootstrap, raw, BAD)
        first = read_topic(bootstrap, dlq, expect=3, timeout=90)
        assert reasons(first) == ["not_json", "not_json", "schema_violation"], worker_logs(tmp_path)

        code, out = earful(config, "dlq", "replay", "--reason", "not_json", "--dry-run")
        assert code == 0
        assert out.splitlines()[-3:] == [
            "would replay 2, skipped 1",
            f"  would replay 2 -> {raw}",
            "  skipped 1: reason filtered out",
        ]
        assert len(read_topic(bootstrap, raw, expect=3, timeout=10)) == 3  # nothing sent

        code, out = earful(config, "dlq", "replay", "--reason", "not_json")
        assert (code, out.splitlines()[0]) == (0, "replayed 2, skipped 1")
        again = read_topic(bootstrap, dlq, expect=5, timeout=60)
        assert len(again) == 5, worker_logs(tmp_path)
        replayed = [
            r
            for r in read_topic(bootstrap, raw, expect=5, timeout=10)
            if "earful.replayed-from" in r.headers
        ]
        assert sorted(r.value or b"" for r in replayed) == sorted(BAD[:2])
        assert all(r.headers["earful.replayed-from"].startswith(dlq.encode()) for r in replayed)
        assert sorted(r.value or b"" for r in again[3:]) == sorted(BAD[:2])  # still bad
        assert reasons(again[3:]) == ["not_json", "not_json"]

    # The replay group committed its position: only the two new dead letters are read now.
    code, out = earful(config, "dlq", "replay", "--reason", "schema_violation", "--dry-run")
    assert out.splitlines()[0] == "would replay 0, skipped 2"
    code, out = earful(
        config, "dlq", "replay", "--reason", "schema_violation", "--from-beginning", "--dry-run"
    )
    assert out.splitlines()[0] == "would replay 1, skipped 4"


# Distinct complaints: near-identical texts would be counted on the first alert instead.
COMPLAINTS = [
    "@acmeair my flight was cancelled and nobody answers the phone",
    "@acmeair you lost my suitcase in Denver, third day without clothes",
    "@acmeair charged twice for one seat upgrade, I want my money back",
]


def test_replay_after_the_fix_delivers_what_was_dead_lettered(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    broken = {"on": True}

    def receiver(_: Received) -> tuple[int, dict[str, str], bytes] | None:
        return (503, {}, b"down") if broken["on"] else None

    with recording_server(receiver) as hook:
        settings, config = make_settings(
            receivers=[{"name": "care-hook", "webhook_configs": [{"url": hook.url + "/a"}]}],
            route={"receiver": "care-hook"},
        )
        bootstrap, prefix = settings.kafka.bootstrap_servers, settings.kafka.topic_prefix
        dlq = topic_name(DEAD_LETTERS, prefix)
        now = datetime.now(UTC).isoformat()
        mentions = [
            orjson.dumps(
                {
                    "schema_version": 1,
                    "id": f"test:{i}",
                    "source": "test",
                    "created_at": now,
                    "text": COMPLAINTS[i],
                    "author": {"id": f"u{i}", "handle": f"user{i}"},
                }
            )
            for i in range(3)
        ]
        with workers(config, tmp_path, "streams", "alerts"):
            publish(bootstrap, topic_name(MENTIONS_RAW, prefix), mentions)
            dead = read_topic(bootstrap, dlq, expect=3, timeout=120)
            assert reasons(dead) == ["delivery_failed"] * 3, worker_logs(tmp_path)
            assert {r.headers["earful.dlq.topic"] for r in dead} == {
                topic_name(ALERTS, prefix).encode()
            }
            attempts = len(hook.wait_for(0))
            assert attempts == 3 * 4  # every retry was tried

            broken["on"] = False  # the fix: the receiver is back
            code, out = earful(config, "dlq", "replay", "--stage", "alerts")
            assert (code, out.splitlines()[0]) == (0, "replayed 3, skipped 0")
            delivered = hook.wait_for(attempts + 3, timeout=60)[attempts:]
            assert sorted(orjson.loads(r.body)["alert_id"] for r in delivered) == [
                f"mention:test:{i}" for i in range(3)
            ], worker_logs(tmp_path)
            assert len(read_topic(bootstrap, dlq, expect=4, timeout=5)) == 3  # none failed again
