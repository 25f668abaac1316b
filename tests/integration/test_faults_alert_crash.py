"""``kill -9`` of the alert worker at each crash point (see alerts/failpoint.py): every
alert still reaches the webhook; a repeat happens only for an alert the channel answered
but whose delivery was not yet recorded, and carries the same ``webhook-id``."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from streams.topics import ALERTS, topic_name
from tests.conftest import SettingsFactory
from tests.integration.alerting import alert
from tests.support.faults import (
    alert_ids,
    dead_letter_count,
    recorded_delivered,
    report,
    same_idempotency_key,
    wait_for_ids,
)
from tests.support.kafka import publish
from tests.support.processes import start_worker, stop, worker_logs
from tests.support.receivers import recording_server

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

FIRST, SECOND, KILL_AT = 10, 20, 15  # the crash comes on the 5th alert of the second batch


@pytest.mark.timeout(300)
@pytest.mark.parametrize("point", ["after_consume", "after_channel_answer", "after_record"])
def test_alert_worker_killed_at_a_crash_point_loses_nothing(
    point: str, make_settings: SettingsFactory, tmp_path: Path
) -> None:
    with recording_server() as hook:
        settings, config = make_settings(
            receivers=[{"name": "hook", "webhook_configs": [{"url": hook.url}]}],
            route={"receiver": "hook"},
            # One send at a time, so the crash point says exactly which alert was in the
            # window; no periodic commit, so the restart re-reads everything.
            delivery={"commit_interval_seconds": 120, "concurrency_per_receiver": 1},
        )
        bootstrap, prefix = settings.kafka.bootstrap_servers, settings.kafka.topic_prefix
        ids = [f"mention:crash:{i}" for i in range(FIRST + SECOND)]
        topic = topic_name(ALERTS, prefix)
        crashing = start_worker(
            "alerts", config, tmp_path, env={"EARFUL_FAILPOINT": f"{point}:{KILL_AT}"}
        )
        try:
            publish(bootstrap, topic, [alert(i) for i in ids[:FIRST]])
            assert len(hook.wait_for(FIRST, timeout=120)) >= FIRST, worker_logs(tmp_path)
            publish(bootstrap, topic, [alert(i) for i in ids[FIRST:]])
            crashing.wait(timeout=120)  # it SIGKILLs itself at the crash point
        finally:
            stop(crashing)
        assert crashing.returncode == -signal.SIGKILL, worker_logs(tmp_path)
        before_kill = hook.wait_for(0)
        recorded = recorded_delivered(bootstrap, prefix, expect=len(before_kill) - 1)

        restarted = start_worker("alerts", config, tmp_path)
        try:
            received = wait_for_ids(hook, ids, timeout=150)
        finally:
            stop(restarted)

        dead = dead_letter_count(bootstrap, prefix)

    logs = worker_logs(tmp_path)
    assert dead == 0, logs
    delivered = alert_ids(received)
    answered_before = alert_ids(before_kill)
    repeated = {i for i, n in delivered.items() if n > 1}
    assert set(delivered) == set(ids), logs  # every alert received
    assert same_idempotency_key(received)
    # The only window: answered by the channel before the kill, not in the delivery log.
    window = set(answered_before) - recorded
    assert repeated <= window, (repeated, window, logs)
    assert all(delivered[i] == 2 for i in repeated)
    assert len(window) <= 1  # one send at a time
    if point == "after_channel_answer":
        killed_on = before_kill[KILL_AT - 1]
        assert alert_ids([killed_on]).keys() == repeated == window, logs
    elif point == "after_record":
        assert not repeated and len(recorded) == KILL_AT, logs
    else:
        assert len(answered_before) < KILL_AT, logs
    report(
        f"kill -9 alert worker {point}",
        sent=len(ids),
        received=sum(delivered.values()),
        distinct=len(delivered),
        duplicates=sum(delivered.values()) - len(delivered),
        recorded_before_kill_not_resent=len(recorded & set(answered_before)),
        dead_lettered=dead,
    )
