"""Follow a whole topic from its beginning into an in-memory view (silences, delivery log,
open crises), and say when the view has caught up with what the topic held."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer

from alerts.errors import AlertsError
from config.kafka_security import kafka_client_options
from config.schema import KafkaSettings

log = structlog.get_logger("earful.alerts")
Apply = Callable[[Any], None]


class TopicFollower:
    """Reads every partition of ``topic`` (no consumer group) and hands each record to
    ``apply``, in order per partition, for as long as it runs."""

    def __init__(self, kafka: KafkaSettings, topic: str, apply: Apply, name: str) -> None:
        self.kafka = kafka
        self.topic = topic
        self.apply = apply
        self.name = name
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self, limit_seconds: float = 60.0) -> None:
        consumer = AIOKafkaConsumer(
            **kafka_client_options(self.kafka, "aiokafka"),
            client_id=f"{self.kafka.client_id}-alerts-{self.name}",
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        await consumer.start()
        self._consumer = consumer
        # Without a group, a subscription is assigned every partition (and new ones).
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit_seconds
        while not consumer.assignment():
            if loop.time() > deadline:
                raise AlertsError(f"topic {self.topic} not found: run 'earful topics create' first")
            # A topic created a moment ago may be missing from the first metadata answer;
            # subscribing again asks for it again.
            consumer.unsubscribe()
            consumer.subscribe([self.topic])
            for _ in range(20):  # about a second for this attempt
                if consumer.assignment():
                    break
                await asyncio.sleep(0.05)
        self._task = asyncio.create_task(self._follow(), name=f"follow-{self.name}")

    async def _follow(self) -> None:
        assert self._consumer is not None
        while True:
            batches = await self._consumer.getmany(timeout_ms=500, max_records=1000)
            for records in batches.values():
                for record in records:
                    try:
                        self.apply(record)
                    except Exception:  # a bad record must not stop the view
                        log.exception("record ignored", view=self.name, offset=record.offset)

    async def wait_caught_up(self, limit_seconds: float = 60.0) -> None:
        """Return once everything the topic held when called has been applied."""
        consumer = self._consumer
        assert consumer is not None, "start() first"
        ends = await consumer.end_offsets(list(consumer.assignment()))
        deadline = asyncio.get_running_loop().time() + limit_seconds
        for tp, end in ends.items():
            while await consumer.position(tp) < end:
                if asyncio.get_running_loop().time() > deadline:
                    raise AlertsError(
                        f"the {self.name} view did not catch up with {self.topic} in "
                        f"{limit_seconds:.0f} s; check the broker is reachable"
                    )
                if self._task is not None and self._task.done():
                    self._task.result()  # raises what stopped the follower
                await asyncio.sleep(0.02)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()
