"""A load generator in its own process: publishes mentions at a fixed rate."""

from __future__ import annotations

import multiprocessing
import random
import time
from datetime import UTC, datetime

from kafka import KafkaProducer

from bench.corpus import mention_bytes


def _publish_at_rate(
    bootstrap: str, topic: str, rate: float, seconds: float, start_id: int
) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=2, acks=1)
    rng = random.Random(start_id)
    started = time.perf_counter()
    for n in range(int(rate * seconds)):
        delay = started + n / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        # created_at is the publish time: the latency clock starts here.
        producer.send(topic, value=mention_bytes(start_id + n, rng, datetime.now(UTC)))
    producer.flush()
    producer.close()


def publish_at_rate(
    bootstrap: str, topic: str, rate: float, seconds: float, start_id: int = 0
) -> multiprocessing.process.BaseProcess:
    """Start publishing in a child process; ``.join()`` it to wait for the end."""
    child = multiprocessing.get_context("spawn").Process(
        target=_publish_at_rate, args=(bootstrap, topic, rate, seconds, start_id), daemon=True
    )
    child.start()
    return child
