"""A channel that fails for a while (500s, or 429 with a long Retry-After): its alerts are
delivered once it recovers, or dead-lettered with a reason past the retry cap; another
team's alerts arrive meanwhile; the alert consumer lag drains once the outage is handled."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

from streams.topics import ALERTS, DEAD_LETTERS, topic_name
from tests.conftest import SettingsFactory
from tests.integration.alerting import TWO_TEAM_ROUTE, alert, body_id
from tests.support.faults import LagSampler, report, wait_for_ids
from tests.support.kafka import publish, read_topic
from tests.support.processes import start_worker, stop, worker_logs
from tests.support.receivers import Received, recording_server

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

PER_TEAM = 10
RETRY_AFTER = 20
OUTAGE_SECONDS = 10  # at least, from the first failing answer


@dataclass(frozen=True)
class Outage:
    status: int
    headers: dict[str, str]
    retry: dict[str, Any]
    recovers: bool


OUTAGES = {
    "500 then recovery": Outage(
        500,
        {},
        {"max_attempts": 100, "initial_backoff_seconds": 0.2, "max_backoff_seconds": 1.0},
        True,
    ),
    "500 past the retry cap": Outage(
        500,
        {},
        {"max_attempts": 3, "initial_backoff_seconds": 0.05, "max_backoff_seconds": 0.2},
        False,
    ),
    f"429 Retry-After {RETRY_AFTER} s": Outage(
        429,
        {"retry-after": str(RETRY_AFTER)},
        # The worker waits what the server asks for, up to ten times max_backoff_seconds.
        {"max_attempts": 10, "initial_backoff_seconds": 0.2, "max_backoff_seconds": 5.0},
        True,
    ),
}


@pytest.mark.timeout(400)
@pytest.mark.parametrize("name", list(OUTAGES))
def test_a_failing_channel_recovers_or_dead_letters_while_another_team_is_served(
    name: str, make_settings: SettingsFactory, tmp_path: Path
) -> None:
    outage = OUTAGES[name]
    over = threading.Event()
    answers: list[tuple[str, float, int]] = []  # (alert id, when, status) at the failing hook
    lock = threading.Lock()

    def failing(request: Received) -> tuple[int, dict[str, str], bytes] | None:
        status = 200 if over.is_set() else outage.status
        with lock:
            answers.append((body_id(request.body), time.time(), status))
        return None if status == 200 else (status, outage.headers, b"unavailable")

    with recording_server(failing) as air, recording_server() as bank:
        settings, config = make_settings(
            receivers=[
                {"name": "air-hook", "webhook_configs": [{"url": air.url}]},
                {"name": "bank-hook", "webhook_configs": [{"url": bank.url}]},
            ],
            route=TWO_TEAM_ROUTE,
            retry=outage.retry,
            delivery={"concurrency_per_receiver": 2},
        )
        bootstrap, prefix = settings.kafka.bootstrap_servers, settings.kafka.topic_prefix
        topic = topic_name(ALERTS, prefix)
        air_ids = [f"air:{i}" for i in range(PER_TEAM)]
        bank_ids = [f"bank:{i}" for i in range(2 * PER_TEAM)]
        records, keys = [], []
        for i in range(PER_TEAM):  # interleaved on the same partitions
            records += [alert(air_ids[i]), alert(bank_ids[i], team="bank-care", brand="northwind")]
            keys += [f"thread-{i}".encode()] * 2
        worker = start_worker("alerts", config, tmp_path)
        dead: list[Any] = []
        try:
            with LagSampler(bootstrap, prefix) as lag:
                publish(bootstrap, topic, records, keys)
                bank.wait_for(PER_TEAM, timeout=120)
                # More of the other team's alerts while the channel is still failing.
                later = [alert(i, team="bank-care", brand="northwind") for i in bank_ids[PER_TEAM:]]
                publish(bootstrap, topic, later)
                bank_received = wait_for_ids(bank, bank_ids, timeout=120, settle=0)
                if outage.recovers:
                    air.wait_for(1, timeout=60)
                    with lock:
                        first_failure = min((at for _, at, _ in answers), default=time.time())
                    time.sleep(max(0.0, first_failure + OUTAGE_SECONDS - time.time()))
                    over.set()
                    wait_for_ids(air, air_ids, timeout=180)
                else:
                    dead = read_topic(
                        bootstrap, topic_name(DEAD_LETTERS, prefix), expect=PER_TEAM, timeout=180
                    )
                final_lag = lag.drained(timeout=90)
                samples = list(lag.samples)
        finally:
            over.set()
            stop(worker)

    logs = worker_logs(tmp_path)
    # All of the other team's alerts were received before the failing channel recovered.
    assert sorted(body_id(r.body) for r in bank_received) == sorted(bank_ids), logs
    assert any(status == outage.status for _, _, status in answers), logs
    delivered = Counter(i for i, _, status in answers if status == 200)
    if outage.recovers:
        assert set(delivered) == set(air_ids), logs
        assert all(n == 1 for n in delivered.values())
    else:
        assert not delivered
        assert sorted(body_id(r.value or b"") for r in dead) == sorted(air_ids), logs
        assert {r.headers["earful.dlq.reason"] for r in dead} == {b"delivery_failed"}
        assert all(b"air-hook" in r.headers["earful.dlq.detail"] for r in dead)
        attempts = Counter(i for i, _, _ in answers)
        assert attempts == dict.fromkeys(air_ids, outage.retry["max_attempts"]), attempts
    if outage.status == 429:  # no retry came before the server said it may
        for alert_id in air_ids:
            times = sorted(at for i, at, _ in answers if i == alert_id)
            assert all(b - a >= RETRY_AFTER for a, b in itertools.pairwise(times))
    assert final_lag == 0, (samples, logs)
    report(
        f"channel {name}",
        sent=len(air_ids) + len(bank_ids),
        failing_channel_requests=len(answers),
        failing_channel_delivered=len(delivered),
        other_team_received=len(bank_received),
        duplicates=sum(delivered.values()) - len(delivered),
        dead_lettered=len(dead),
        max_lag=max(samples, default=0),
        final_lag=final_lag,
    )
    print(orjson.dumps({"lag_samples": samples}).decode())
