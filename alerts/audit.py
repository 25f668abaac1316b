"""Everything the alert worker writes about deliveries: the audit trail (every attempt and
decision), the delivery log (the last outcome per alert, receiver and integration) and
dead letters (the original bytes, the reason in headers)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import structlog
from aiokafka import AIOKafkaProducer

from alerts.channels.base import Receipt
from alerts.deliverylog import DeliveryLog
from alerts.dispatch import Unit
from alerts.metrics import AlertMetrics
from alerts.records import AuditEvent, AuditOutcome, DeliveryLogEntry, DeliveryState
from config.schema import Settings
from streams.deadletters import dead_letter_headers
from streams.records import Alert, DeadLetterReason
from streams.topics import DEAD_LETTERS, DELIVERY_AUDIT, DELIVERY_LOG, topic_name

STAGE = "alerts"
log = structlog.get_logger("earful.alerts")


def now_utc() -> datetime:
    return datetime.now(UTC)


class DeliveryRecorder:
    def __init__(
        self,
        settings: Settings,
        producer: AIOKafkaProducer,
        delivery_log: DeliveryLog,
        metrics: AlertMetrics,
    ) -> None:
        prefix = settings.kafka.topic_prefix
        self.producer = producer
        self.delivery_log = delivery_log
        self.metrics = metrics
        self.audit_topic = topic_name(DELIVERY_AUDIT, prefix)
        self.log_topic = topic_name(DELIVERY_LOG, prefix)
        self.dead_letter_topic = topic_name(DEAD_LETTERS, prefix)

    async def audit(
        self,
        unit: Unit,
        outcome: AuditOutcome,
        *,
        notification_id: str = "",
        attempt: int = 0,
        reason: str = "",
        detail: str = "",
    ) -> None:
        """Queued for sending; the worker flushes the producer before it commits offsets."""
        event = AuditEvent(
            alert_id=unit.alert.alert_id,
            notification_id=notification_id or unit.alert.alert_id,
            receiver=unit.receiver,
            integration=unit.integration_name,
            outcome=outcome,
            attempt=attempt,
            reason=reason,
            detail=detail[:2000],
            at=now_utc(),
        )
        await self.producer.send(
            self.audit_topic,
            key=unit.alert.alert_id.encode(),
            value=event.model_dump_json().encode(),
        )
        self.metrics.produced.labels(STAGE, self.audit_topic).inc()

    async def outcome(
        self,
        units: list[Unit],
        state: DeliveryState,
        notification_id: str,
        *,
        receipt: Receipt | None = None,
        sent: Alert | None = None,
    ) -> None:
        """Write the outcome of each unit to the delivery log and wait until it is stored;
        with a ``receipt`` (and the alert ``sent``), the message can be updated later."""
        at = now_utc()
        entries = {
            unit.key(): DeliveryLogEntry(
                state=state,
                notification_id=notification_id,
                at=at,
                source=unit.source,
                receipt=None if receipt is None else receipt.ref,
                sent=None if receipt is None else sent,
            )
            for unit in units
        }
        await self.write_log(entries)

    async def write_log(self, entries: dict[str, DeliveryLogEntry]) -> None:
        """Put entries (by delivery log key) in the log, in memory at once, and wait until
        the topic stored them."""
        futures = []
        for key, entry in entries.items():
            self.delivery_log.put(key, entry)
            futures.append(
                await self.producer.send(
                    self.log_topic, key=key.encode(), value=entry.model_dump_json().encode()
                )
            )
        for future in futures:
            await future
        self.metrics.produced.labels(STAGE, self.log_topic).inc(len(entries))

    async def dead_letter(self, record: Any, reason: DeadLetterReason, detail: str) -> None:
        headers = dead_letter_headers(
            stage=STAGE,
            reason=reason,
            detail=detail,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
        )
        await self.producer.send_and_wait(
            self.dead_letter_topic, value=record.value, key=record.key, headers=headers
        )
        self.metrics.dead_letters.labels(STAGE, reason.value).inc()
        self.metrics.produced.labels(STAGE, self.dead_letter_topic).inc()
        log.error("alert dead-lettered", reason=reason.value, detail=detail[:500])
