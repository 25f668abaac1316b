"""Read and write test topics with kafka-python, bounded in time."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition


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
    return _read(bootstrap, topic, lambda records: len(records) >= expect, timeout, settle)


def read_until_ids(
    bootstrap: str, topic: str, want: set[str], timeout: float = 120.0, settle: float = 2.0
) -> list[Record]:
    """Read until every id in ``want`` appeared in a JSON record's ``id`` (then ``settle``
    seconds more) or ``timeout`` passed; everything read, either way: counting records
    would stop early when some were written twice. When ids are still missing, the topic
    is read once more from the start by a new consumer, so what the test judges is what
    the topic holds, not what one client's fetches returned while it was being written."""
    records = _read(bootstrap, topic, _all_ids_seen(want), timeout, settle)
    if _ids_in(records) >= want:
        return records
    again = _read(bootstrap, topic, _all_ids_seen(want), 30.0, 0.0)
    if len(_ids_in(again) & want) > len(_ids_in(records) & want):
        print(f"[earful] a second read of {topic} found ids the first read missed")
        return again
    return records


def _ids_in(records: list[Record]) -> set[str]:
    return {orjson.loads(r.value or b"{}").get("id") for r in records}


def _all_ids_seen(want: set[str]) -> Callable[[list[Record]], bool]:
    missing = set(want)
    checked = 0

    def done(records: list[Record]) -> bool:
        nonlocal checked
        for record in records[checked:]:
            missing.discard(orjson.loads(record.value or b"{}").get("id"))
        checked = len(records)
        return not missing

    return done


def _read(
    bootstrap: str,
    topic: str,
    enough: Callable[[list[Record]], bool],
    timeout: float,
    settle: float,
) -> list[Record]:
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
            if enough(records):
                settled_at = settled_at or time.monotonic()
                if time.monotonic() - settled_at >= settle:
                    break
    finally:
        consumer.close()
    return records


def where_ids_are(bootstrap: str, topic: str, ids: set[str], group: str) -> str:
    """Where the records with these ids sit in ``topic`` and what ``group`` committed,
    e.g. ``p1: [412, 415, 418] (3 ids); committed by g: {'raw/1': 412}``; for a failing
    test's message."""
    spots: dict[int, list[int]] = {}
    found: set[str] = set()
    for r in read_topic(bootstrap, topic, expect=10**9, timeout=10, settle=0):
        if (record_id := orjson.loads(r.value or b"{}").get("id")) in ids:
            spots.setdefault(r.partition, []).append(r.offset)
            found.add(record_id)
    answer = committed_offsets(bootstrap, group)
    placed = "; ".join(
        f"p{p}: {sorted(o) if len(o) <= 20 else f'{min(o)}-{max(o)}'} ({len(o)} ids)"
        for p, o in sorted(spots.items())
    )
    absent = f"; {len(ids - found)} not on {topic} at all" if ids - found else ""
    return f"{placed}{absent}; committed by {group}: {answer}"


def committed_offsets(bootstrap: str, group: str) -> dict[str, int]:
    """What ``group`` committed, by ``topic/partition``."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        answer = admin.list_group_offsets(group).get(group, {})
    finally:
        admin.close()
    return {f"{tp.topic}/{tp.partition}": meta.offset for tp, meta in sorted(answer.items())}


def publish(
    bootstrap: str, topic: str, values: list[bytes], keys: list[bytes] | None = None
) -> None:
    """Write ``values`` and check that the broker took every one: a record lost here would
    read as a record Earful lost."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        sent = [
            producer.send(topic, value=value, key=keys[i] if keys else None)
            for i, value in enumerate(values)
        ]
        producer.flush()
        failed = [f.exception for f in sent if not f.succeeded()]
        assert not failed, f"{len(failed)} of {len(sent)} not written to {topic}: {failed[:3]}"
    finally:
        producer.close()
