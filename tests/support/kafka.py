"""Read and write test topics with kafka-python, bounded in time."""

from __future__ import annotations

import time
from dataclasses import dataclass

from kafka import KafkaConsumer, KafkaProducer, TopicPartition


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
    # Partitions are assigned, not subscribed: a group's first assignment can miss a topic
    # whose metadata the consumer has not fetched yet, and then read nothing at all.
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    records: list[Record] = []
    deadline = time.monotonic() + timeout
    settled_at: float | None = None
    try:
        while not (numbers := consumer.partitions_for_topic(topic)):
            if time.monotonic() > deadline:
                return records
            time.sleep(0.2)
        consumer.assign([TopicPartition(topic, p) for p in sorted(numbers)])
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
