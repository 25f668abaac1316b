"""Helpers for the fault tests: waiting for alert ids at a receiver, what the delivery log
held at a moment, the alert consumer group's lag over time, and the counts each test prints."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterable
from types import TracebackType

import orjson
from kafka.errors import KafkaError

from alerts.worker import GROUP_ID
from bench.harness import end_offsets, group_lag
from streams.topics import ALERTS, DEAD_LETTERS, DELIVERY_LOG, topic_name
from tests.support.kafka import read_topic
from tests.support.receivers import Received, RecordingServer


def alert_ids(requests: Iterable[Received]) -> Counter[str]:
    return Counter(str(orjson.loads(r.body)["alert_id"]) for r in requests)


def wait_for_ids(
    server: RecordingServer, ids: Iterable[str], timeout: float, settle: float = 3.0
) -> list[Received]:
    """Every request once all ``ids`` arrived (then ``settle`` s more, so that repeats
    show), or what arrived by ``timeout``."""
    wanted = set(ids)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not wanted <= set(alert_ids(server.wait_for(0))):
        time.sleep(0.2)
    time.sleep(settle)
    return server.wait_for(0)


def same_idempotency_key(requests: Iterable[Received]) -> bool:
    """Each request's ``webhook-id`` is its alert's id, so a repeat carries the same one."""
    return all(r.headers.get("webhook-id") == orjson.loads(r.body)["alert_id"] for r in requests)


def recorded_delivered(bootstrap: str, prefix: str, expect: int) -> set[str]:
    """Alert ids whose delivery the delivery log holds now (read to its end)."""
    records = read_topic(
        bootstrap, topic_name(DELIVERY_LOG, prefix), expect=expect, timeout=30, settle=2
    )
    return {
        (r.key or b"").decode().split("|")[0]
        for r in records
        if r.value is not None and orjson.loads(r.value)["state"] == "delivered"
    }


def dead_letter_count(bootstrap: str, prefix: str) -> int:
    return end_offsets(bootstrap, topic_name(DEAD_LETTERS, prefix))


class LagSampler:
    """Samples the alert workers' consumer lag on the alerts topic in a thread."""

    def __init__(self, bootstrap: str, prefix: str, every: float = 1.0) -> None:
        self.bootstrap = bootstrap
        self.group = f"{prefix}{GROUP_ID}"
        self.topic = topic_name(ALERTS, prefix)
        self.every = every
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def lag(self) -> int | None:
        """None while the broker cannot say (e.g. its group coordinator is still loading)."""
        try:
            return group_lag(self.bootstrap, self.group, self.topic)
        except KafkaError:
            return None

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            if (lag := self.lag()) is not None:
                self.samples.append(lag)

    def drained(self, timeout: float) -> int | None:
        """Wait until the lag is zero; the last lag read."""
        deadline = time.monotonic() + timeout
        lag = self.lag()
        while lag != 0 and time.monotonic() < deadline:
            time.sleep(1)
            lag = self.lag()
        return lag

    def __enter__(self) -> LagSampler:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


def report(title: str, **counts: object) -> None:
    """One line the lead can quote: ``[faults] title: sent 30 / received 31 / ...``."""
    figures = " / ".join(f"{name.replace('_', ' ')} {value}" for name, value in counts.items())
    print(f"\n[faults] {title}: {figures}")
