"""Where connectors write: mentions to the raw topic, cursors to a compacted topic.

A cursor is saved only after every mention sent before it was acknowledged by Kafka, so a
restart resumes after what was really published: no gap, and no repeat after a graceful
stop (an abrupt kill may repeat a few, which the stable mention ids make harmless).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from config.kafka_security import kafka_client_options
from config.schema import Settings
from streams.records import Mention
from streams.topics import CONNECTOR_CURSORS, MENTIONS_RAW, topic_name
from streams.tracked_topics import track_topics


class MentionSink(Protocol):
    async def send(self, mention: Mention) -> None: ...

    async def flush(self) -> None:
        """Return once every mention sent so far is acknowledged; raise if one failed."""


class CursorStore(Protocol):
    async def load(self) -> dict[str, str]: ...

    async def save(self, key: str, value: str) -> None: ...


def encode_mention(mention: Mention) -> bytes:
    return orjson.dumps(mention.model_dump(mode="json", exclude_none=True))


class KafkaOutput:
    """One idempotent producer for a ``earful connect`` process: mentions and cursors."""

    def __init__(self, settings: Settings) -> None:
        kafka = settings.kafka
        self.settings = settings
        self.raw_topic = topic_name(MENTIONS_RAW, kafka.topic_prefix)
        self.cursor_topic = topic_name(CONNECTOR_CURSORS, kafka.topic_prefix)
        self.producer = AIOKafkaProducer(
            **kafka_client_options(kafka, "aiokafka"),
            client_id=f"{kafka.client_id}-connect",
            acks="all",
            enable_idempotence=True,
            linger_ms=5,
        )
        self._pending: list[asyncio.Future[Any]] = []

    async def start(self) -> None:
        await self.producer.start()
        await track_topics(self.producer.client, [self.raw_topic, self.cursor_topic])

    async def stop(self) -> None:
        """Flush what is in flight, then close (graceful shutdown)."""
        try:
            await self.flush()
        finally:
            await self.producer.stop()

    async def send(self, mention: Mention) -> None:
        future = await self.producer.send(
            self.raw_topic, value=encode_mention(mention), key=mention.partition_key().encode()
        )
        self._pending.append(future)
        if len(self._pending) > 10_000:  # bound memory on long streams
            await self.flush()

    async def flush(self) -> None:
        pending, self._pending = self._pending, []
        if pending:
            await asyncio.gather(*pending)

    async def load(self) -> dict[str, str]:
        partitions = await self.producer.partitions_for(self.cursor_topic)
        return await read_cursors(self.settings, self.cursor_topic, partitions)

    async def save(self, key: str, value: str) -> None:
        record = {"cursor": value, "saved_at": datetime.now(UTC).isoformat()}
        await self.producer.send_and_wait(
            self.cursor_topic, value=orjson.dumps(record), key=key.encode()
        )


async def read_cursors(
    settings: Settings, topic: str, partitions: set[int], wait_seconds: float = 30.0
) -> dict[str, str]:
    """The latest cursor of every key in the compacted topic (read to its current end)."""
    kafka = settings.kafka
    consumer = AIOKafkaConsumer(
        **kafka_client_options(kafka, "aiokafka"),
        client_id=f"{kafka.client_id}-connect-cursors",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    cursors: dict[str, str] = {}
    try:
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not assigned:
            return cursors
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        ends = await consumer.end_offsets(assigned)
        remaining = {tp for tp in assigned if ends[tp] > 0}
        async with asyncio.timeout(wait_seconds):
            while remaining:
                batches = await consumer.getmany(*remaining, timeout_ms=500)
                for messages in batches.values():
                    for message in messages:
                        key = message.key.decode() if message.key else ""
                        if message.value is None:
                            cursors.pop(key, None)
                        else:
                            cursors[key] = str(orjson.loads(message.value)["cursor"])
                for tp in list(remaining):
                    if await consumer.position(tp) >= ends[tp]:
                        remaining.discard(tp)
    finally:
        await consumer.stop()
    return cursors
