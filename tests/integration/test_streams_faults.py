"""The scoring stage under crashes, broker restarts and nasty input, on the real broker."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import orjson
import pytest

from earful.localkafka import LocalKafka
from streams.app import APP_ID
from streams.topics import DEAD_LETTERS, MENTIONS_RAW, MENTIONS_SCORED, topic_name
from tests.conftest import SettingsFactory
from tests.support.kafka import (
    committed_offsets,
    publish,
    read_topic,
    read_until_ids,
    where_ids_are,
)
from tests.support.mentions import mention, nasty_invalid_messages, nasty_valid_texts
from tests.support.processes import start_worker, stop, worker_logs

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def scored_ids(bootstrap: str, topic: str, expect: int, timeout: float) -> list[str]:
    """Every id on ``topic`` once ``test:0`` .. ``test:{expect-1}`` all arrived (or
    ``timeout`` passed); a restart scores some twice, so counting records stops early."""
    want = {f"test:{i}" for i in range(expect)}
    records = read_until_ids(bootstrap, topic, want, timeout)
    return [orjson.loads(r.value or b"")["id"] for r in records]


def lost_report(
    bootstrap: str, prefix: str, ids: list[str], count: int, workdir: Path, context: str = ""
) -> str:
    """Empty when ``test:0`` .. ``test:{count-1}`` were all scored; else which are missing,
    where they sit on the raw topic, what the group committed, ``context``, and the
    workers' logs."""
    missing = {f"test:{i}" for i in range(count)} - set(ids)
    if not missing:
        return ""
    raw, group = topic_name(MENTIONS_RAW, prefix), f"{prefix}{APP_ID}"
    return (
        f"{len(missing)} lost: {sorted(missing)[:20]}\n"
        f"{where_ids_are(bootstrap, raw, missing, group)}\n{context}\n{worker_logs(workdir)}"
    )


def wait_until_count(bootstrap: str, topic: str, count: int, timeout: float) -> None:
    read_topic(bootstrap, topic, expect=count, timeout=timeout, settle=0)


@pytest.mark.timeout(300)
def test_scoring_worker_killed_mid_stream_loses_no_mention(
    make_settings: SettingsFactory,
    tmp_path: Path,
) -> None:
    settings, config = make_settings()
    bootstrap, prefix = settings.kafka.bootstrap_servers, settings.kafka.topic_prefix
    count = 3000
    publish(bootstrap, topic_name(MENTIONS_RAW, prefix), [mention(i) for i in range(count)])
    scored = topic_name(MENTIONS_SCORED, prefix)

    worker = start_worker("streams", config, tmp_path)
    wait_until_count(bootstrap, scored, 300, timeout=120)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    at_kill = committed_offsets(bootstrap, f"{prefix}{APP_ID}")
    restarted = start_worker("streams", config, tmp_path)
    try:
        ids = scored_ids(bootstrap, scored, expect=count, timeout=180)
    finally:
        stop(restarted)
    context = f"committed when the worker was killed: {at_kill}"
    assert not (lost := lost_report(bootstrap, prefix, ids, count, tmp_path, context)), lost
    print(
        f"\nkill -9 mid-stream: sent {count}, scored {len(ids)}, "
        f"re-scored after restart {len(ids) - len(set(ids))}"
    )


@pytest.mark.timeout(300)
def test_scoring_worker_stopped_mid_batch_loses_no_mention(
    make_settings: SettingsFactory,
    tmp_path: Path,
) -> None:
    """A graceful stop (SIGTERM) while batches are in flight commits only what was
    written: after two stops and restarts, every mention is on the scored topic."""
    settings, config = make_settings()
    bootstrap, prefix = settings.kafka.bootstrap_servers, settings.kafka.topic_prefix
    count = 4000
    publish(bootstrap, topic_name(MENTIONS_RAW, prefix), [mention(i) for i in range(count)])
    scored = topic_name(MENTIONS_SCORED, prefix)
    for stops in range(1, 3):
        worker = start_worker("streams", config, tmp_path)
        try:
            wait_until_count(bootstrap, scored, 500 * stops, timeout=120)
        finally:
            stop(worker)
    restarted = start_worker("streams", config, tmp_path)
    try:
        records = read_until_ids(bootstrap, scored, {f"test:{i}" for i in range(count)}, 180)
        ids = [orjson.loads(r.value or b"")["id"] for r in records]
    finally:
        stop(restarted)
    assert not (lost := lost_report(bootstrap, prefix, ids, count, tmp_path)), lost
    print(
        f"\nSIGTERM mid-batch x2: sent {count}, scored {len(ids)}, "
        f"re-scored after restarts {len(ids) - len(set(ids))}"
    )


@pytest.mark.timeout(300)
def test_workers_reconnect_after_the_broker_restarts(
    local_kafka: LocalKafka,
    make_settings: SettingsFactory,
    tmp_path: Path,
) -> None:
    local_kafka.start()
    try:
        _, config = make_settings(
            kafka={"bootstrap_servers": local_kafka.bootstrap, "topic_prefix": "restart."}
        )
        raw = topic_name(MENTIONS_RAW, "restart.")
        scored = topic_name(MENTIONS_SCORED, "restart.")
        worker = start_worker("streams", config, tmp_path)
        try:
            publish(local_kafka.bootstrap, raw, [mention(i) for i in range(200)])
            wait_until_count(local_kafka.bootstrap, scored, 200, timeout=120)
            local_kafka.stop()
            time.sleep(5)
            local_kafka.start()
            publish(local_kafka.bootstrap, raw, [mention(i) for i in range(200, 400)])
            ids = scored_ids(local_kafka.bootstrap, scored, expect=400, timeout=180)
            assert worker.poll() is None, "the worker died instead of reconnecting"
        finally:
            stop(worker)
        assert set(ids) == {f"test:{i}" for i in range(400)}, worker_logs(tmp_path)
    finally:
        local_kafka.stop()


@pytest.mark.timeout(240)
def test_nasty_input_is_scored_or_dead_lettered_and_counts_add_up(
    make_settings: SettingsFactory,
    tmp_path: Path,
) -> None:
    settings, config = make_settings()
    bootstrap, prefix = settings.kafka.bootstrap_servers, settings.kafka.topic_prefix
    valid = [mention(i, text) for i, text in enumerate(nasty_valid_texts())]
    invalid = nasty_invalid_messages()
    publish(bootstrap, topic_name(MENTIONS_RAW, prefix), valid + [m for m, _ in invalid])
    worker = start_worker("streams", config, tmp_path)
    try:
        scored = read_topic(
            bootstrap, topic_name(MENTIONS_SCORED, prefix), expect=len(valid), timeout=120
        )
        dead = read_topic(
            bootstrap, topic_name(DEAD_LETTERS, prefix), expect=len(invalid), timeout=60
        )
        assert worker.poll() is None, "a nasty message crashed the worker"
    finally:
        stop(worker)
    assert len(scored) + len(dead) == len(valid) + len(invalid), worker_logs(tmp_path)
    assert sorted(orjson.loads(r.value or b"")["text"] for r in scored) == sorted(
        nasty_valid_texts()
    )
    reasons = sorted((r.value or b"", r.headers["earful.dlq.reason"].decode()) for r in dead)
    assert reasons == sorted(invalid)
