"""The alert worker: consume alerts, route, deliver, and only then commit the offset.

An alert is either accepted by every channel it routes to, or written to the dead-letter
topic with the reason, before its offset is committed: a crash between the two can
repeat a delivery (with the same idempotency key), never lose one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pydantic import ValidationError

from alerts.channels.base import Notifier
from alerts.channels.console import ConsoleNotifier
from alerts.channels.webhook import WebhookNotifier
from alerts.delivery import deliver_with_retry
from alerts.errors import DeliveryError
from alerts.metrics import AlertMetrics
from alerts.routing import RouteNode, receivers_for
from config.kafka_security import kafka_client_options
from config.schema import ConsoleConfig, Settings, WebhookConfig
from streams.deadletters import dead_letter_headers
from streams.metrics import ReadinessListener
from streams.records import Alert, DeadLetterReason
from streams.topics import ALERTS, DEAD_LETTER_MAX_BYTES, DEAD_LETTERS, topic_name
from streams.validation import describe_validation_error

GROUP_ID = "earful-alerts"
STAGE = "alerts"
log = structlog.get_logger("earful.alerts")

NotifierFactory = Callable[[str, WebhookConfig | ConsoleConfig], Notifier]


def default_notifier(receiver: str, config: WebhookConfig | ConsoleConfig) -> Notifier:
    if isinstance(config, WebhookConfig):
        return WebhookNotifier(config)
    return ConsoleNotifier(receiver)


class AlertWorker:
    def __init__(
        self,
        settings: Settings,
        metrics: AlertMetrics,
        *,
        notifier_factory: NotifierFactory = default_notifier,
        group_id: str | None = None,
    ) -> None:
        self.settings = settings
        self.metrics = metrics
        self.group_id = group_id or f"{settings.kafka.topic_prefix}{GROUP_ID}"
        self.routes = RouteNode.build(settings.route)
        self.alerts_topic = topic_name(ALERTS, settings.kafka.topic_prefix)
        self.dead_letter_topic = topic_name(DEAD_LETTERS, settings.kafka.topic_prefix)
        self.notifiers: dict[str, list[Notifier]] = {"console": [ConsoleNotifier("console")]}
        for receiver in settings.receivers:
            self.notifiers[receiver.name] = [
                notifier_factory(receiver.name, c) for c in receiver.integrations()
            ]
        self._producer: AIOKafkaProducer | None = None

    async def run(self, stop: asyncio.Event) -> None:
        kafka = self.settings.kafka
        consumer = AIOKafkaConsumer(
            **kafka_client_options(kafka, "aiokafka"),
            client_id=f"{kafka.client_id}-alerts",
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_interval_ms=600_000,
        )
        consumer.subscribe([self.alerts_topic], listener=ReadinessListener(self.metrics.health))
        self._producer = AIOKafkaProducer(
            **kafka_client_options(kafka, "aiokafka"),
            client_id=f"{kafka.client_id}-alerts",
            acks="all",
            enable_idempotence=True,
            max_request_size=DEAD_LETTER_MAX_BYTES + 64 * 1024,
        )
        await self._producer.start()
        await consumer.start()
        log.info("alert worker started", topic=self.alerts_topic, group=self.group_id)
        try:
            while not stop.is_set():
                batches = await consumer.getmany(timeout_ms=250, max_records=200)
                if not batches:
                    continue
                for records in batches.values():
                    for record in records:
                        await self.handle(record)
                await consumer.commit()
        finally:
            await consumer.stop()
            await self._producer.stop()
            for notifiers in self.notifiers.values():
                for notifier in notifiers:
                    await notifier.close()
            log.info("alert worker stopped")

    async def handle(self, record: Any) -> None:
        started = time.perf_counter()
        self.metrics.consumed.labels(STAGE, record.topic).inc()
        try:
            alert = Alert.model_validate_json(record.value or b"")
        except ValidationError as error:
            await self._dead_letter(
                record, DeadLetterReason.SCHEMA_VIOLATION, describe_validation_error(error)
            )
            return
        failures = []
        for receiver in receivers_for(self.routes, alert.labels):
            for notifier in self.notifiers.get(receiver, []):
                result = await deliver_with_retry(
                    notifier,
                    alert,
                    self.settings.retry,
                    on_retry=partial(self._retrying, notifier, alert),
                )
                if result.delivered:
                    self.metrics.delivered.labels(notifier.integration).inc()
                    self.metrics.observe_delivered(alert)
                    log.info(
                        "alert delivered",
                        alert_id=alert.alert_id,
                        receiver=receiver,
                        integration=notifier.integration,
                        attempts=result.attempts,
                    )
                else:
                    assert result.error is not None
                    self.metrics.failed.labels(notifier.integration, result.error.reason).inc()
                    failures.append(
                        f"{receiver}/{notifier.integration}: {result.error} "
                        f"after {result.attempts} attempts"
                    )
        if failures:
            await self._dead_letter(record, DeadLetterReason.DELIVERY_FAILED, "; ".join(failures))
        self.metrics.processing.labels(STAGE).observe(time.perf_counter() - started)

    def _retrying(
        self, notifier: Notifier, alert: Alert, error: DeliveryError, delay: float
    ) -> None:
        self.metrics.retries.labels(notifier.integration, error.reason).inc()
        log.warning(
            "alert delivery will be retried",
            alert_id=alert.alert_id,
            integration=notifier.integration,
            error=str(error),
            delay_seconds=round(delay, 3),
        )

    async def _dead_letter(self, record: Any, reason: DeadLetterReason, detail: str) -> None:
        assert self._producer is not None
        headers = dead_letter_headers(
            stage=STAGE,
            reason=reason,
            detail=detail,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
        )
        await self._producer.send_and_wait(
            self.dead_letter_topic, value=record.value, key=record.key, headers=headers
        )
        self.metrics.dead_letters.labels(STAGE, reason.value).inc()
        self.metrics.produced.labels(STAGE, self.dead_letter_topic).inc()
        log.error("alert dead-lettered", reason=reason.value, detail=detail)
