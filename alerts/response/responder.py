"""The responder process: HTTP endpoints, the alert-state and silences topics, and the SLA
engine that escalates alerts nobody acknowledged in time.

Start-up order matters for exactly-once escalation: the compacted state and silences
topics are read to their end first; then each alerts partition is read from its committed
low watermark up to its end before any of its timers may fire, so an escalation sent
before a restart is seen before it could be sent again.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from aiohttp import web
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import KafkaError
from pydantic import ValidationError

from alerts.response.errors import ResponseError
from alerts.response.escalation import escalation_alert
from alerts.response.http import build_app
from alerts.response.metrics import ResponseMetrics
from alerts.response.records import AlertState, Silence
from alerts.response.state import Outcome, apply_action
from alerts.response.tracker import Breach, SlaTracker, StepDue
from config.kafka_security import kafka_client_options
from config.schema import Settings
from streams.records import Alert
from streams.topics import ALERT_STATE, ALERTS, SILENCES, topic_name
from streams.tracked_topics import track_topics

GROUP_ID = "earful-responder"
RESPONDER = "earful-responder"
TICK_SECONDS = 0.2
COMMIT_EVERY_SECONDS = 2.0
SILENCE_RETENTION = timedelta(days=5)  # expired silences are deleted after this, as Alertmanager
log = structlog.get_logger("earful.responder")


class Responder:
    def __init__(self, settings: Settings, metrics: ResponseMetrics, clock: Any = time.time):
        self.settings = settings
        self.metrics = metrics
        self.clock = clock
        prefix = settings.kafka.topic_prefix
        self.alerts_topic = topic_name(ALERTS, prefix)
        self.state_topic = topic_name(ALERT_STATE, prefix)
        self.silences_topic = topic_name(SILENCES, prefix)
        self.group_id = f"{prefix}{GROUP_ID}"
        self.tracker = SlaTracker(settings.response)
        self._silences: dict[str, Silence] = {}
        self._compacted_loaded = False
        self._catch_up: dict[int, int] = {}  # partition -> end offset when it was assigned
        self._ready_partitions: set[int] = set()
        self._producer: AIOKafkaProducer | None = None
        self._alerts: AIOKafkaConsumer | None = None

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    # --- what the HTTP layer calls -------------------------------------------------------

    def ready(self) -> bool:
        caught_up = bool(self._catch_up) and set(self._catch_up) <= self._ready_partitions
        return self._compacted_loaded and caught_up

    async def change_state(self, alert_id: str, action: str, by: str, source: str) -> Outcome:
        current = self.tracker.states.get(alert_id)
        outcome = apply_action(
            current, action, alert_id, by, self.now(), self.settings.response.snooze_seconds
        )
        if outcome.changed:
            await self._write_state(outcome.state)
            self.metrics.state_changes.labels(action, source).inc()
            log.info("alert state changed", alert_id=alert_id, state=outcome.state.state, by=by)
        return outcome

    def silences(self) -> list[Silence]:
        return list(self._silences.values())

    async def put_silence(self, silence: Silence) -> None:
        await self._send(self.silences_topic, silence.id.encode(), silence.model_dump_json())
        self._silences[silence.id] = silence
        log.info("silence stored", silence_id=silence.id, ends_at=silence.ends_at.isoformat())

    # --- Kafka ---------------------------------------------------------------------------

    async def _send(self, topic: str, key: bytes | None, value: str | None, **kw: Any) -> None:
        assert self._producer is not None
        await self._producer.send_and_wait(
            topic, key=key, value=None if value is None else value.encode(), **kw
        )
        self.metrics.produced.labels("responder", topic).inc()

    async def _write_state(self, state: AlertState) -> None:
        await self._send(self.state_topic, state.alert_id.encode(), state.model_dump_json())
        self.tracker.see_state(state)

    async def run(self, stop: asyncio.Event) -> None:
        kafka = self.settings.kafka
        common: dict[str, Any] = {
            **kafka_client_options(kafka, "aiokafka"),
            "client_id": f"{kafka.client_id}-responder",
        }
        self._producer = AIOKafkaProducer(**common, acks="all", enable_idempotence=True)
        compacted = AIOKafkaConsumer(**common, enable_auto_commit=False)
        self._alerts = AIOKafkaConsumer(
            **common,
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=int(kafka.session_timeout_seconds * 1000),
            heartbeat_interval_ms=int(kafka.heartbeat_seconds * 1000),
        )
        await self._producer.start()
        await track_topics(
            self._producer.client, [self.alerts_topic, self.state_topic, self.silences_topic]
        )
        await compacted.start()
        runner: web.AppRunner | None = None
        try:
            await self._load_compacted(compacted)
            response = self.settings.response
            runner = web.AppRunner(build_app(self.settings, self, self.metrics, self.clock))
            await runner.setup()
            try:
                await web.TCPSite(runner, response.listen_host, response.listen_port).start()
            except OSError as error:
                raise ResponseError(
                    f"cannot listen on {response.listen_host}:{response.listen_port}: "
                    f"{error.strerror}; free the port or change response.listen_port"
                ) from None
            self._alerts.subscribe([self.alerts_topic], listener=_Rebalance(self))
            await self._alerts.start()
            log.info(
                "responder started",
                listen=f"{response.listen_host}:{response.listen_port}",
                group=self.group_id,
            )
            tasks = [
                asyncio.create_task(self._follow_compacted(compacted)),
                asyncio.create_task(self._consume_alerts(self._alerts)),
                asyncio.create_task(self._run_timers()),
            ]
            stopping = asyncio.create_task(stop.wait())
            done, _ = await asyncio.wait([stopping, *tasks], return_when=asyncio.FIRST_COMPLETED)
            for task in [stopping, *tasks]:
                task.cancel()
            for task in done:
                if task is not stopping and task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]
            await self._commit()
        finally:
            if runner is not None:
                await runner.cleanup()
            await self._alerts.stop()
            await compacted.stop()
            await self._producer.stop()
            log.info("responder stopped")

    async def _load_compacted(self, consumer: AIOKafkaConsumer) -> None:
        """Read the alert-state and silences topics from the start up to their current end."""
        # The consumer's own metadata only covers assigned topics, so ask the cluster.
        cluster = await consumer._client.fetch_all_metadata()
        partitions = [
            TopicPartition(topic, p)
            for topic in (self.state_topic, self.silences_topic)
            for p in sorted(cluster.partitions_for_topic(topic) or [])
        ]
        if not partitions:
            raise ResponseError(
                f"topics {self.state_topic} and {self.silences_topic} do not exist: "
                "run 'earful topics create'"
            )
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        while True:
            positions = {tp: await consumer.position(tp) for tp in partitions}
            if all(positions[tp] >= ends[tp] for tp in partitions):
                break
            await self._apply_compacted(await consumer.getmany(timeout_ms=200))
        self._compacted_loaded = True
        log.info("alert states and silences loaded", states=len(self.tracker.states))

    async def _follow_compacted(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            await self._apply_compacted(await consumer.getmany(timeout_ms=500))

    async def _apply_compacted(self, batches: dict[Any, list[Any]]) -> None:
        for tp, records in batches.items():
            for record in records:
                self.metrics.consumed.labels("responder", tp.topic).inc()
                key = (record.key or b"").decode("utf-8", "replace")
                try:
                    if tp.topic == self.silences_topic:
                        if record.value is None:
                            self._silences.pop(key, None)
                        else:
                            silence = Silence.model_validate_json(record.value)
                            self._silences[silence.id] = silence
                    elif record.value is not None:
                        self.tracker.see_state(AlertState.model_validate_json(record.value))
                except ValidationError as error:
                    log.warning(
                        "unreadable record skipped", topic=tp.topic, key=key, error=str(error)
                    )

    async def _consume_alerts(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            batches = await consumer.getmany(timeout_ms=250, max_records=500)
            for tp, records in batches.items():
                for record in records:
                    self.metrics.consumed.labels("responder", tp.topic).inc()
                    try:
                        alert = Alert.model_validate_json(record.value or b"")
                    except ValidationError:
                        # The delivery worker dead-letters it; there is nothing to time here.
                        self.tracker.consumed[tp.partition] = record.offset + 1
                        continue
                    self.tracker.see_alert(alert, tp.partition, record.offset, record.key)
            assigned = consumer.assignment()
            for partition, end in list(self._catch_up.items()):
                tp = TopicPartition(self.alerts_topic, partition)
                if partition in self._ready_partitions or tp not in assigned:
                    continue
                if await consumer.position(tp) >= end:
                    self._ready_partitions.add(partition)
                    log.info("alerts partition caught up", partition=partition)

    async def _run_timers(self) -> None:
        last_commit = time.monotonic()
        while True:
            await asyncio.sleep(TICK_SECONDS)
            for event in self.tracker.due(self.now(), self._ready_partitions):
                if isinstance(event, Breach):
                    alert = event.pending.alert
                    team = self.metrics.team_label(alert.team)
                    self.metrics.sla_breaches.labels(alert.priority, team).inc()
                    log.warning("response SLA breached", alert_id=alert.alert_id, team=alert.team)
                else:
                    await self._escalate(event)
            self.metrics.pending.set(len(self.tracker.pending))
            if time.monotonic() - last_commit >= COMMIT_EVERY_SECONDS:
                await self._commit()
                await self._purge_old_silences()
                last_commit = time.monotonic()

    async def _escalate(self, event: StepDue) -> None:
        pending, step = event.pending, event.step
        label = self.metrics.step_label(step)
        if event.late:
            self.tracker.mark_handled(event)
            self.metrics.escalations.labels(label, "skipped_late").inc()
            log.warning(
                "escalation step skipped: overdue by more than max_lateness_seconds",
                alert_id=pending.alert.alert_id,
                step=step,
                due=event.due.isoformat(),
            )
            return
        assert pending.chain is not None
        now = self.now()
        overdue = int((now - pending.deadline).total_seconds())
        alert = escalation_alert(pending.alert, pending.chain, step, now, f"{overdue} s after SLA")
        # The state first: a crash between the two writes delays this step, never repeats it.
        await self._write_state(
            AlertState(
                alert_id=pending.alert.alert_id,
                state="escalated",
                by=RESPONDER,
                at=now,
                until=event.next_due,
            )
        )
        await self._send(
            self.alerts_topic, pending.key, alert.model_dump_json(), partition=pending.partition
        )
        self.tracker.mark_handled(event)
        self.metrics.escalations.labels(label, "sent").inc()
        log.warning(
            "alert escalated",
            alert_id=pending.alert.alert_id,
            step=step,
            action=pending.chain.step(step).action,
        )

    async def _commit(self) -> None:
        consumer = self._alerts
        if consumer is None:
            return
        assigned = {tp.partition for tp in consumer.assignment()}
        offsets = {
            TopicPartition(self.alerts_topic, p): o
            for p, o in self.tracker.commit_offsets().items()
            if p in assigned and p in self._ready_partitions
        }
        if not offsets:
            return
        try:
            await consumer.commit(offsets)
        except KafkaError as error:  # e.g. during a rebalance; the next commit catches up
            log.warning("commit of alerts offsets failed", error=str(error))

    async def _purge_old_silences(self) -> None:
        cutoff = self.now() - SILENCE_RETENTION
        for silence in [s for s in self._silences.values() if s.ends_at < cutoff]:
            await self._send(self.silences_topic, silence.id.encode(), None)
            self._silences.pop(silence.id, None)

    async def on_assigned(self, assigned: set[TopicPartition]) -> None:
        assert self._alerts is not None
        ends = await self._alerts.end_offsets(list(assigned))
        for tp in assigned:
            self._catch_up[tp.partition] = ends[tp]
        log.info("alerts partitions assigned", partitions=sorted(tp.partition for tp in assigned))

    async def on_revoked(self, revoked: set[TopicPartition]) -> None:
        await self._commit()
        partitions = {tp.partition for tp in revoked}
        self.tracker.forget_partitions(partitions)
        self._ready_partitions -= partitions
        for partition in partitions:
            self._catch_up.pop(partition, None)


class _Rebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, responder: Responder) -> None:
        self.responder = responder

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self.responder.on_revoked(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        await self.responder.on_assigned(assigned)
