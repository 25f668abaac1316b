"""A load generator in its own process: publishes mentions at a fixed rate."""

from __future__ import annotations

import multiprocessing
import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from kafka import KafkaProducer

from bench.corpus import mention_bytes


def load_mentions(
    count: int,
    start_id: int = 0,
    *,
    unique: bool = False,
    pace: Callable[[int], None] = lambda n: None,
) -> Iterator[bytes]:
    """The mentions ``publish_at_rate`` sends, in order. Each is built after ``pace(n)``
    returns and stamped then: its ``created_at`` is when it is due, the latency's start."""
    rng = random.Random(start_id)
    for n in range(count):
        pace(n)
        yield mention_bytes(start_id + n, rng, datetime.now(UTC), unique=unique)


def _publish_at_rate(
    bootstrap: str, topic: str, rate: float, seconds: float, start_id: int, unique: bool
) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=2, acks=1)
    started = time.perf_counter()

    def on_time(n: int) -> None:
        delay = started + n / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)

    for mention in load_mentions(int(rate * seconds), start_id, unique=unique, pace=on_time):
        producer.send(topic, value=mention)
    producer.flush()
    producer.close()


def publish_at_rate(
    bootstrap: str,
    topic: str,
    rate: float,
    seconds: float,
    start_id: int = 0,
    *,
    unique: bool = False,
) -> multiprocessing.process.BaseProcess:
    """Start publishing in a child process; ``.join()`` it to wait for the end. ``unique``:
    no text is a near-copy of another (see ``corpus.mention_bytes``)."""
    child = multiprocessing.get_context("spawn").Process(
        target=_publish_at_rate,
        args=(bootstrap, topic, rate, seconds, start_id, unique),
        daemon=True,
    )
    child.start()
    return child


def check_published(publisher: multiprocessing.process.BaseProcess) -> None:
    """Fail the benchmark when the load generator died: its figures would be of no load."""
    publisher.join()
    if publisher.exitcode != 0:
        raise SystemExit(
            f"the load generator exited with {publisher.exitcode}: see its traceback above"
        )
