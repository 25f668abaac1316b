"""Sending one notification through one integration: suppression at flush time, retries,
the delivery log and audit, and after the retry cap the dead-letter topic plus the team's
fallback receiver."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial

import structlog

from alerts.audit import DeliveryRecorder, now_utc
from alerts.bulkhead import can_update
from alerts.channels.base import Notifier, Receipt
from alerts.delivery import deliver_with_retry
from alerts.dispatch import Unit
from alerts.errors import DeliveryError
from alerts.failpoint import Failpoint
from alerts.inhibit import Inhibitor
from alerts.metrics import AlertMetrics
from alerts.notifications import Notification
from alerts.offsets import OffsetTracker
from alerts.silences import SilenceView
from config.schema import Settings
from streams.records import Alert, DeadLetterReason

log = structlog.get_logger("earful.alerts")


class Sender:
    def __init__(
        self,
        settings: Settings,
        notifiers: dict[str, list[Notifier]],
        recorder: DeliveryRecorder,
        tracker: OffsetTracker,
        silences: SilenceView,
        inhibitor: Inhibitor,
        metrics: AlertMetrics,
        clock: Callable[[], datetime] = now_utc,
        failpoint: Failpoint | None = None,
    ) -> None:
        self.settings = settings
        self.notifiers = notifiers
        self.recorder = recorder
        self.tracker = tracker
        self.silences = silences
        self.inhibitor = inhibitor
        self.metrics = metrics
        self.clock = clock
        self.failpoint = failpoint or Failpoint()
        self.fallbacks = {t.name: t.fallback_receiver for t in settings.teams}
        self._background: set[asyncio.Task[None]] = set()

    async def suppress(self, units: list[Unit]) -> list[Unit]:
        """Record and release the units a silence or inhibition covers; return the rest."""
        now = self.clock()
        kept = []
        for unit in units:
            silence = self.silences.silencing(unit.labels, now)
            source = None if silence else self.inhibitor.inhibited_by(unit.labels)
            if silence is None and source is None:
                kept.append(unit)
                continue
            reason = "silenced" if silence else "inhibited"
            detail = f"silence {silence.id}" if silence else f"inhibited by {source}"
            self.metrics.suppressed.labels(reason).inc()
            await self.recorder.audit(unit, "suppressed", reason=reason, detail=detail)
            await self.recorder.outcome([unit], "suppressed", unit.alert.alert_id)
            log.info("alert suppressed", alert_id=unit.alert.alert_id, reason=reason, by=detail)
            self.tracker.release(unit.ticket)
        return kept

    async def send(self, notification: Notification) -> None:
        units = [u for u in notification.units if self.tracker.owns(u.ticket)]
        if not units:
            return  # the partition moved to another worker, which will handle them
        notifier = self.notifiers[notification.receiver][notification.integration]
        if notification.multi:
            # Write-ahead: a restart re-sends these alerts together, under this same id.
            await self.recorder.outcome(units, "sending", notification.id)
        result = await deliver_with_retry(
            notifier,
            notification.alert,
            self.settings.retry,
            on_retry=partial(self._retrying, notification, units),
        )
        self.failpoint.reach("after_channel_answer")
        if result.delivered:
            # A message of one alert, sent by a channel that can edit it, can show that
            # alert's state later; a group's cannot. Others keep no receipt (nor the alert).
            editable = not notification.multi and can_update(notifier)
            receipt = result.receipt if editable else None
            await self._delivered(notification, units, result.attempts, receipt)
        else:
            assert result.error is not None
            await self._failed(notification, units, result.error, result.attempts)
        self.failpoint.reach("after_record")
        for unit in units:
            self.tracker.release(unit.ticket)

    def _retrying(
        self, notification: Notification, units: list[Unit], error: DeliveryError, delay: float
    ) -> None:
        self.metrics.retries.labels(notification.integration_name, error.reason).inc()
        log.warning(
            "alert delivery will be retried",
            notification_id=notification.id,
            receiver=notification.receiver,
            integration=notification.integration_name,
            error=str(error),
            delay_seconds=round(delay, 3),
        )
        # Called from the retry loop, which is not async-aware of us: queue the audit writes.
        for unit in units:
            task = asyncio.get_running_loop().create_task(
                self.recorder.audit(
                    unit,
                    "retry",
                    notification_id=notification.id,
                    reason=error.reason,
                    detail=f"{error}; next attempt in {delay:.2f} s",
                )
            )
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _delivered(
        self,
        notification: Notification,
        units: list[Unit],
        attempts: int,
        receipt: Receipt | None = None,
    ) -> None:
        integration = notification.integration_name
        self.metrics.delivered.labels(integration).inc()
        for unit in units:
            self.metrics.observe_outcome(
                unit.alert.team, unit.alert.priority, integration, "delivered"
            )
        await self.recorder.outcome(
            units, "delivered", notification.id, receipt=receipt, sent=notification.alert
        )
        now = time.time()
        for unit in units:
            published = unit.record.timestamp / 1000 if unit.record is not None else now
            self.metrics.latency.labels(integration).observe(max(0.0, now - published))
            self.metrics.observe_delivered(unit.alert)
            await self.recorder.audit(
                unit, "delivered", notification_id=notification.id, attempt=attempts
            )
            # One event per alert, so a log search for an alert id finds its delivery.
            log.info(
                "alert delivered",
                alert_id=unit.alert.alert_id,
                notification_id=notification.id,
                receiver=notification.receiver,
                integration=integration,
                attempts=attempts,
            )

    async def _failed(
        self, notification: Notification, units: list[Unit], error: DeliveryError, attempts: int
    ) -> None:
        integration = notification.integration_name
        self.metrics.failed.labels(integration, error.reason).inc()
        for unit in units:
            self.metrics.observe_outcome(
                unit.alert.team, unit.alert.priority, integration, "failed"
            )
        detail = f"{notification.receiver}/{integration}: {error} after {attempts} attempts"
        for unit in units:
            await self.recorder.audit(
                unit,
                "failed",
                notification_id=notification.id,
                attempt=attempts,
                reason=error.reason,
                detail=str(error),
            )
            if unit.record is not None:
                await self.recorder.dead_letter(
                    unit.record, DeadLetterReason.DELIVERY_FAILED, detail
                )
            await self.recorder.audit(
                unit, "dead_lettered", notification_id=notification.id, reason="delivery_failed"
            )
        await self._tell_fallback(notification, units, detail)
        await self.recorder.outcome(units, "dead_lettered", notification.id)

    def fallback_for(self, unit: Unit) -> str | None:
        team = unit.alert.team
        return (self.fallbacks.get(team) if team else None) or unit.node.fallback_receiver

    async def _tell_fallback(
        self, notification: Notification, units: list[Unit], detail: str
    ) -> None:
        fallback = self.fallback_for(units[0])
        if fallback is None or fallback == notification.receiver:
            self.metrics.fallbacks.labels("none_configured").inc()
            return
        notice = _undelivered_notice(notification, detail)
        for notifier in self.notifiers.get(fallback, []):
            result = await deliver_with_retry(notifier, notice, self.settings.retry)
            outcome = "delivered" if result.delivered else "failed"
            self.metrics.fallbacks.labels(outcome).inc()
            for unit in units:
                await self.recorder.audit(
                    unit,
                    "fallback_delivered" if result.delivered else "fallback_failed",
                    notification_id=notice.alert_id,
                    attempt=result.attempts,
                    reason=result.error.reason if result.error else "",
                    detail=f"fallback receiver {fallback}/{notifier.integration}",
                )
            log.warning(
                "fallback receiver told",
                fallback=fallback,
                integration=notifier.integration,
                outcome=outcome,
                notification_id=notification.id,
            )


def _undelivered_notice(notification: Notification, detail: str) -> Alert:
    alert = notification.alert
    return alert.model_copy(
        update={
            "alert_id": f"undelivered:{notification.receiver}:{notification.integration_name}:"
            f"{notification.id}",
            "summary": f"NOT DELIVERED to {notification.receiver}: {alert.summary}",
            "reasons": [f"delivery failed: {detail}", *alert.reasons],
            "labels": {**alert.labels, "undelivered_receiver": notification.receiver},
        }
    )
