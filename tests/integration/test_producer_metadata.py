"""The scoring worker's producer keeps metadata on every topic it writes, also on topics
it knew before it tracked any (``streams.tracked_topics``)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaProducer
from kafka import KafkaAdminClient
from kafka.admin import NewTopic

from streams.tracked_topics import track_topics

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(120)]


def create_topic(bootstrap: str, name: str) -> None:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([NewTopic(name, num_partitions=2, replication_factor=1)])
    finally:
        admin.close()


async def known_after_a_later_topic(bootstrap: str, *, tracked: bool) -> bool:
    """Start a producer while ``early`` exists, then write to ``late``, created after the
    producer started: does the producer's metadata still cover ``early`` afterwards?"""
    early, late = (f"test.meta-{uuid.uuid4().hex[:8]}.{n}" for n in ("early", "late"))
    create_topic(bootstrap, early)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.client.force_metadata_update()
        assert producer.client.cluster.partitions_for_topic(early), "early not seen at start"
        create_topic(bootstrap, late)
        if tracked:
            await track_topics(producer.client, [early, late])
        await producer.send_and_wait(early, b"before")
        await producer.send_and_wait(late, b"after")  # tracks ``late``, refreshes metadata
        await producer.client.force_metadata_update()
        return producer.client.cluster.partitions_for_topic(early) is not None
    finally:
        await producer.stop()


def test_tracked_topics_stay_in_the_metadata(kafka_bootstrap: str) -> None:
    assert asyncio.run(known_after_a_later_topic(kafka_bootstrap, tracked=True))


def test_untracked_topics_drop_out_of_aiokafkas_metadata(kafka_bootstrap: str) -> None:
    """Why the tracking is there: without it the producer forgets ``early`` (records then
    waiting for it never find a leader). If aiokafka changes this, the tracking can go."""
    assert not asyncio.run(known_after_a_later_topic(kafka_bootstrap, tracked=False))
