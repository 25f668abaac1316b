"""Consumer lag per topic and partition, measured like Burrow or kafka-exporter do: the
log-end offset minus the group's committed offset. Every worker of a group reports the
whole group's lag, so dashboards aggregate with ``max by (topic, partition)``."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import structlog
from kafka import KafkaConsumer, TopicPartition

from config.kafka_security import kafka_client_options
from config.schema import KafkaSettings
from streams.metrics import StageMetrics

log = structlog.get_logger("earful.lag")


def partition_lag(
    end: Mapping[TopicPartition, int],
    committed: Mapping[TopicPartition, int | None],
    beginning: Mapping[TopicPartition, int],
) -> dict[TopicPartition, int]:
    """Messages left to process per partition. A partition the group never committed is
    read from the beginning (auto.offset.reset=earliest), so all of it is lag."""
    lag = {}
    for tp, end_offset in end.items():
        position = committed.get(tp)
        if position is None:
            position = beginning.get(tp, 0)
        lag[tp] = max(0, end_offset - position)
    return lag


class LagProbe:
    """Every ``interval`` seconds, set ``earful_consumer_lag_messages`` for a group."""

    def __init__(
        self,
        kafka: KafkaSettings,
        group_id: str,
        topics: list[str],
        metrics: StageMetrics,
        interval: float = 10.0,
    ) -> None:
        self.kafka, self.group_id, self.topics = kafka, group_id, topics
        self.metrics, self.interval = metrics, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="earful-lag", daemon=True)

    def start(self) -> LagProbe:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 5)

    def _run(self) -> None:
        consumer: KafkaConsumer | None = None
        while not self._stop.is_set():
            try:
                # A group_id without subscribe(): reads the group's commits, never joins it.
                consumer = consumer or KafkaConsumer(
                    **kafka_client_options(self.kafka, "kafka-python"),
                    client_id=f"{self.kafka.client_id}-lag",
                    group_id=self.group_id,
                    enable_auto_commit=False,
                )
                self.measure(consumer)
            except Exception as error:  # a probe must never take the worker down
                log.warning("consumer lag not measured", group=self.group_id, error=str(error))
            self._stop.wait(self.interval)
        if consumer is not None:
            consumer.close()

    def measure(self, consumer: KafkaConsumer) -> dict[TopicPartition, int]:
        partitions = [
            TopicPartition(topic, p)
            for topic in self.topics
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        if not partitions:
            return {}
        lag = partition_lag(
            consumer.end_offsets(partitions),
            {tp: consumer.committed(tp) for tp in partitions},
            consumer.beginning_offsets(partitions),
        )
        for tp, messages in lag.items():
            self.metrics.lag.labels(self.metrics.stage, tp.topic, str(tp.partition)).set(messages)
        return lag


@contextmanager
def probing_lag(
    kafka: KafkaSettings, group_id: str, topics: list[str], metrics: StageMetrics
) -> Iterator[LagProbe]:
    probe = LagProbe(kafka, group_id, topics, metrics).start()
    try:
        yield probe
    finally:
        probe.stop()
