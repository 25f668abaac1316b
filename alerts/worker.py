"""The alert worker: consume alerts, route, group, deliver, and only then commit the offset.

Per partition, offsets are committed up to the lowest record whose alert is not yet
delivered, suppressed or dead-lettered at every receiver it routes to. Each receiver has
its own bulkhead, so a slow one delays only itself; a record waiting for it holds back
the commit of its partition, not other teams' deliveries. The delivery log (a compacted
topic this worker follows whole) makes a re-read record a no-op where it was delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from pydantic import ValidationError

from alerts.audit import DeliveryRecorder
from alerts.bulkhead import Bulkhead, TimedNotifier
from alerts.channels.base import Notifier
from alerts.channels.console import ConsoleNotifier
from alerts.deliverylog import DeliveryLog
from alerts.dispatch import Dispatcher, Unit
from alerts.failpoint import Failpoint
from alerts.follow import TopicFollower
from alerts.inhibit import Inhibitor
from alerts.metrics import AlertMetrics
from alerts.notifications import notifications_for
from alerts.offsets import OffsetTracker, Partition
from alerts.routing import RouteNode, alert_labels, routes_for
from alerts.sending import Sender
from alerts.silences import SilenceView
from alerts.updates import MessageUpdater
from alerts.wiring import NotifierFactory
from alerts.wiring import notifier_factory as default_notifier_factory
from config.kafka_security import kafka_client_options
from config.schema import Settings
from streams.records import Alert, DeadLetterReason
from streams.topics import (
    ALERT_STATE,
    ALERTS,
    DEAD_LETTER_MAX_BYTES,
    DELIVERY_LOG,
    SILENCES,
    topic_name,
)
from streams.tracked_topics import track_topics
from streams.validation import describe_validation_error

GROUP_ID = "earful-alerts"
STAGE = "alerts"
log = structlog.get_logger("earful.alerts")


class AlertWorker:
    def __init__(
        self,
        settings: Settings,
        metrics: AlertMetrics,
        *,
        notifier_factory: NotifierFactory | None = None,
        group_id: str | None = None,
    ) -> None:
        self.settings = settings
        self.metrics = metrics
        self.group_id = group_id or f"{settings.kafka.topic_prefix}{GROUP_ID}"
        self.routes = RouteNode.build(settings.route)
        prefix = settings.kafka.topic_prefix
        self.alerts_topic = topic_name(ALERTS, prefix)
        timeout = settings.delivery.send_timeout_seconds
        self.notifiers: dict[str, list[Notifier]] = {
            "console": [TimedNotifier(ConsoleNotifier("console"), timeout)]
        }
        build = notifier_factory or default_notifier_factory(settings)
        for receiver in settings.receivers:
            self.notifiers[receiver.name] = [
                TimedNotifier(build(receiver.name, c), timeout)
                for c in receiver.integration_configs()
            ]
        metrics.add_receivers(self.notifiers)
        metrics.add_teams(team.name for team in settings.teams)
        self.delivery_log = DeliveryLog(settings.delivery.remember_seconds)
        self.silences = SilenceView()
        self.inhibitor = Inhibitor.build(settings.inhibit_rules)
        self.tracker = OffsetTracker()
        self.dispatcher = Dispatcher()
        self.bulkheads = {
            name: Bulkhead(
                name,
                settings.delivery.concurrency_per_receiver,
                metrics.queue_depth.labels(name).set,
            )
            for name in self.notifiers
        }
        self._wake = asyncio.Event()
        self._log_ready = asyncio.Event()
        self._consumer: AIOKafkaConsumer | None = None
        self._sender: Sender | None = None
        self._recorder: DeliveryRecorder | None = None
        self._followers: list[TopicFollower] = []
        self.updater = MessageUpdater(
            self.notifiers, self.delivery_log, settings.retry, metrics, self._owns_source
        )
        self.failpoint = Failpoint.from_env()  # crash points for fault tests; unset: none

    async def run(self, stop: asyncio.Event) -> None:
        kafka = self.settings.kafka
        prefix = kafka.topic_prefix
        producer = AIOKafkaProducer(
            **kafka_client_options(kafka, "aiokafka"),
            client_id=f"{kafka.client_id}-alerts",
            acks="all",
            enable_idempotence=True,
            max_request_size=DEAD_LETTER_MAX_BYTES + 64 * 1024,
        )
        await producer.start()
        self._recorder = DeliveryRecorder(self.settings, producer, self.delivery_log, self.metrics)
        recorder = self._recorder
        await track_topics(
            producer.client, [recorder.audit_topic, recorder.log_topic, recorder.dead_letter_topic]
        )
        self.updater.recorder = self._recorder
        self._sender = Sender(
            self.settings,
            self.notifiers,
            self._recorder,
            self.tracker,
            self.silences,
            self.inhibitor,
            self.metrics,
            failpoint=self.failpoint,
        )
        self._followers = [
            TopicFollower(kafka, topic_name(DELIVERY_LOG, prefix), self.delivery_log.apply, "log"),
            TopicFollower(kafka, topic_name(SILENCES, prefix), self.silences.apply, "silences"),
            TopicFollower(
                kafka, topic_name(ALERT_STATE, prefix), self._observe_state, "alert-state"
            ),
        ]
        if self.inhibitor.rules:  # open sources may sit on partitions other workers own
            self._followers.append(
                TopicFollower(kafka, self.alerts_topic, self._observe_source, "inhibition")
            )
        consumer = AIOKafkaConsumer(
            **kafka_client_options(kafka, "aiokafka"),
            client_id=f"{kafka.client_id}-alerts",
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_interval_ms=600_000,
            session_timeout_ms=int(kafka.session_timeout_seconds * 1000),
            heartbeat_interval_ms=int(kafka.heartbeat_seconds * 1000),
        )
        self._consumer = consumer
        background: list[asyncio.Task[None]] = []
        try:
            for follower in self._followers:
                await follower.start()
            for follower in self._followers:
                await follower.wait_caught_up()
            for bulkhead in self.bulkheads.values():
                bulkhead.start()
            await consumer.start()
            consumer.subscribe([self.alerts_topic], listener=_Rebalance(self))
            background = [
                asyncio.create_task(self._schedule(), name="dispatch"),
                asyncio.create_task(self._commit_every(stop), name="commit"),
                asyncio.create_task(self._show_states(), name="message-updates"),
            ]
            log.info(
                "alert worker started",
                topic=self.alerts_topic,
                group=self.group_id,
                silences=len(self.silences),
                delivery_log=len(self.delivery_log),
            )
            await self._consume(consumer, stop)
        finally:
            await self._shutdown(consumer, producer, background)

    async def _consume(self, consumer: AIOKafkaConsumer, stop: asyncio.Event) -> None:
        limit = self.settings.delivery.max_queued_deliveries
        while not stop.is_set():
            # Memory bound: past the limit, stop fetching (and keep polling, to stay in the
            # group). Only a backlog this large lets one receiver slow the others.
            if sum(b.depth() for b in self.bulkheads.values()) >= limit:
                consumer.pause(*consumer.assignment())
            elif consumer.paused():
                consumer.resume(*consumer.paused())
            batches = await consumer.getmany(timeout_ms=250, max_records=200)
            if batches:
                await self._log_ready.wait()
            for tp, records in batches.items():
                if tp not in consumer.assignment():
                    continue  # revoked while fetched: its new owner reads these
                for record in records:
                    await self.intake(record)
            if batches:
                self._wake.set()

    def _observe_source(self, record: Any) -> None:
        """Feed the inhibition view (from every partition) with crises and their ends."""
        if record.value is None:
            return
        try:
            alert = Alert.model_validate_json(record.value)
        except ValidationError:
            return
        self.inhibitor.observe(alert.alert_id, alert_labels(alert), alert.created_at)

    def _observe_state(self, record: Any) -> None:
        """Show the state on the alert's messages; an inhibiting alert resolved by a person
        no longer inhibits."""
        self.updater.observe(record)
        if record.value is None or not self.inhibitor.rules:
            return
        try:
            change = orjson.loads(record.value)
            at = datetime.fromisoformat(change["at"])
            self.inhibitor.observe_state(str(change["alert_id"]), str(change["state"]), at)
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            log.warning("invalid alert state ignored", offset=record.offset)

    async def intake(self, record: Any) -> None:
        """Route one record into groups; the ticket is held until every unit is handled."""
        assert self._recorder is not None
        self.metrics.consumed.labels(STAGE, record.topic).inc()
        self.failpoint.reach("after_consume")
        ticket = self.tracker.begin((record.topic, record.partition), record.offset)
        try:
            alert = Alert.model_validate_json(record.value or b"")
        except ValidationError as error:
            await self._recorder.dead_letter(
                record, DeadLetterReason.SCHEMA_VIOLATION, describe_validation_error(error)
            )
            self.tracker.release(ticket)
            return
        labels = alert_labels(alert)
        # Ordered with this partition's other alerts, whatever the follower has read.
        self.inhibitor.observe(alert.alert_id, labels, alert.created_at)
        source = f"{record.topic}/{record.partition}/{record.offset}"
        published = datetime.fromtimestamp(record.timestamp / 1000, UTC)
        now = time.time()
        for node in routes_for(self.routes, labels):
            for index, notifier in enumerate(self.notifiers.get(node.receiver, [])):
                unit = Unit(
                    alert, labels, node, node.receiver, index, notifier.integration, source,
                    ticket, record,
                )  # fmt: skip
                decision = self.delivery_log.decide(
                    unit.key(),
                    source=source,
                    published=published,
                    now=datetime.now(UTC),
                    repeat_interval=node.repeat_interval,
                )
                if decision.action == "duplicate":
                    self.metrics.dedupe_hits.inc()
                    await self._recorder.audit(unit, "duplicate", reason="delivery_log")
                    continue
                unit.resume_id = decision.notification_id
                unit.repeat = decision.repeat
                self.tracker.hold(ticket)
                self.dispatcher.add(unit, now)
        self.tracker.release(ticket)

    def _owns_source(self, source: str) -> bool:
        """Whether the alerts partition of a delivery log ``source`` is assigned here."""
        topic, partition, _ = source.rsplit("/", 2)
        consumer = self._consumer
        return consumer is not None and any(
            tp.topic == topic and str(tp.partition) == partition for tp in consumer.assignment()
        )

    async def _show_states(self) -> None:
        """Apply state changes to sent messages, never while the delivery log catches up
        after a rebalance (it says which messages exist and what they show)."""
        await self.updater.run(ready=self._log_ready)

    async def _schedule(self) -> None:
        """Flush groups when they are due, into their receivers' bulkheads."""
        assert self._sender is not None
        while True:
            for flush in self.dispatcher.due(time.time()):
                kept = await self._sender.suppress(flush.units)
                if not kept:
                    continue
                flush = type(flush)(flush.kind, flush.key, kept, flush.window_start)
                for notification in notifications_for(flush):
                    bulkhead = self.bulkheads[notification.receiver]
                    bulkhead.submit(_job(self._sender, notification))
            deadline = self.dispatcher.next_deadline()
            wait = 1.0 if deadline is None else min(1.0, max(0.0, deadline - time.time()))
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)

    async def _commit_every(self, stop: asyncio.Event) -> None:
        interval = self.settings.delivery.commit_interval_seconds
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
            await self.commit()

    async def commit(self, only: set[Partition] | None = None) -> None:
        """Commit what is fully handled, after the audit and log writes are stored."""
        consumer, recorder = self._consumer, self._recorder
        if consumer is None or recorder is None:
            return
        offsets = {
            tp: offset
            for tp, offset in self.tracker.committable().items()
            if only is None or tp in only
        }
        if not offsets:
            return
        await recorder.producer.flush()
        try:
            await consumer.commit({TopicPartition(t, p): o for (t, p), o in offsets.items()})
        except (CommitFailedError, KafkaError) as error:
            log.warning("offset commit failed; the records will be re-read", error=str(error))
            return
        self.tracker.committed(offsets)

    def revoked(self, partitions: set[Partition]) -> None:
        for tp in partitions:
            self.tracker.revoke(tp)
        dropped = self.dispatcher.drop(lambda unit: not self.tracker.owns(unit.ticket))
        log.info("partitions revoked", partitions=len(partitions), units_dropped=len(dropped))

    async def assigned(self, partitions: set[Partition]) -> None:
        # What the previous owner delivered must be known before its records are re-read;
        # records fetched meanwhile wait in _consume until the log has caught up.
        self._log_ready.clear()
        for tp in partitions:
            self.tracker.assign(tp)
        await self._followers[0].wait_caught_up()
        self._log_ready.set()

    async def _shutdown(
        self,
        consumer: AIOKafkaConsumer,
        producer: AIOKafkaProducer,
        background: list[asyncio.Task[None]],
    ) -> None:
        with contextlib.suppress(TimeoutError):  # let deliveries under way finish
            await asyncio.wait_for(
                asyncio.gather(*(b.join() for b in self.bulkheads.values())), 5.0
            )
        for task in background:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(KafkaError):
            await self.commit()
        for bulkhead in self.bulkheads.values():
            await bulkhead.stop()
        await consumer.stop()
        for follower in self._followers:
            await follower.stop()
        await producer.stop()
        for notifiers in self.notifiers.values():
            for notifier in notifiers:
                await notifier.close()
        log.info("alert worker stopped")


def _job(sender: Sender, notification: Any) -> Callable[[], Any]:
    return lambda: sender.send(notification)


class _Rebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, worker: AlertWorker) -> None:
        self.worker = worker

    async def on_partitions_revoked(self, revoked: Any) -> None:
        self.worker.metrics.health.set_ready(False, "rebalancing: partitions revoked")
        owned = {(tp.topic, tp.partition) for tp in revoked}
        with contextlib.suppress(KafkaError):
            await self.worker.commit(owned)
        self.worker.revoked(owned)

    async def on_partitions_assigned(self, assigned: Any) -> None:
        await self.worker.assigned({(tp.topic, tp.partition) for tp in assigned})
        self.worker.metrics.health.set_ready(True, f"{len(assigned)} partitions assigned")
