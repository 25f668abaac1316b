"""Foreign Kafka topics: consume an integrator's topic and map its JSON onto mentions.

The connector reads every partition of ``topic`` (on Earful's cluster, or on
``bootstrap_servers``) without a consumer group: its cursor is the next offset of each
partition, saved like every other connector's cursor after the mentions before it were
acknowledged. Values are mapped with the declarative ``mapping`` (dotted paths or JSON
pointers), or must already be mentions in schema v1.
"""

from __future__ import annotations

import orjson
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from config.connectors import KafkaTopicConnector
from connectors.errors import SourceRefusedError
from connectors.mapping import record_reader
from connectors.runtime import Source, SourceContext

POLL_MS = 500


class KafkaSource(Source):
    def __init__(self, config: KafkaTopicConnector, default_bootstrap: str) -> None:
        super().__init__(config)
        self.config = config
        self.bootstrap = config.bootstrap_servers or default_bootstrap
        self.to_mention = record_reader(config.source, config.mapping, config.brand)

    async def run(self, ctx: SourceContext) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            client_id=f"earful-connect-{self.name}",
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset=self.config.start_from,
        )
        await consumer.start()
        try:
            await self._consume(consumer, ctx)
        finally:
            await consumer.stop()

    async def _consume(self, consumer: AIOKafkaConsumer, ctx: SourceContext) -> None:
        topic = self.config.topic
        partitions = await _partitions(consumer, topic)
        if not partitions:
            raise SourceRefusedError(f"topic {topic!r} does not exist on {self.bootstrap}")
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        positions: dict[str, int] = orjson.loads(ctx.cursor(topic) or "{}")
        for tp in assigned:
            if str(tp.partition) in positions:
                consumer.seek(tp, positions[str(tp.partition)])
        ctx.succeeded()
        while not ctx.stopping:
            batches = await consumer.getmany(*assigned, timeout_ms=POLL_MS)
            ctx.succeeded()
            for tp, messages in batches.items():
                for message in messages:
                    await self._handle(message, ctx)
                    positions[str(tp.partition)] = message.offset + 1
            if batches:
                await ctx.checkpoint(orjson.dumps(positions).decode(), topic)

    async def _handle(self, message: ConsumerRecord, ctx: SourceContext) -> None:
        if message.value is None:
            ctx.skip("deleted")  # a tombstone
            return
        await ctx.offer(message.value, self.to_mention)


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    """The topic's partitions (fetching metadata for it first)."""
    await consumer._client.force_metadata_update()  # no public call refreshes one topic
    return consumer._client.cluster.partitions_for_topic(topic) or set()
