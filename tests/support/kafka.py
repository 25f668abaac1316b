"""Read and write test topics with kafka-python, bounded in time."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from kafka import KafkaConsumer, KafkaProducer


@dataclass(frozen=True)
class Record:
    key: bytes | None
    value: bytes | None
    headers: dict[str, bytes]
    partition: int
    offset: int


def read_topic(
    bootstrap: str, topic: str, *, expect: int, timeout: float = 60.0, settle: float = 1.0
) -> list[Record]:
    """Read from the beginning until ``expect`` records arrived (then ``settle`` seconds more,
    to catch extras) or ``timeout`` passed."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=f"reader-{uuid.uuid4().hex}",
    )
    records: list[Record] = []
    deadline = time.monotonic() + timeout
    settled_at: float | None = None
    try:
        while time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=200).values():
                for m in batch:
                    records.append(
                        Record(m.key, m.value, dict(m.headers or []), m.partition, m.offset)
                    )
            if len(records) >= expect:
                settled_at = settled_at or time.monotonic()
                if time.monotonic() - settled_at >= settle:
                    break
    finally:
        consumer.close()
    return records


def publish(
    bootstrap: str, topic: str, values: list[bytes], keys: list[bytes] | None = None
) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for i, value in enumerate(values):
        producer.send(topic, value=value, key=keys[i] if keys else None)
    producer.flush()
    producer.close()
