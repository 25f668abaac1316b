"""Show an alert's new state on the messages already sent for it: Slack rewrites the
message (``chat.update``: who acknowledged, resolved or snoozed it, buttons to match) and
PagerDuty acknowledges or resolves the incident.

Every alert worker follows the whole alert-state topic; the worker that owns the alerts
partition a message was read from updates that message. The delivery log records the state
each message shows, so a restart, a rebalance or a replayed state change does not update a
message twice, and a change made while the workers were down is shown once they are back.
Messages of a group or digest, Teams cards and emails are not updated (Teams workflow
webhooks and mail cannot edit what they sent).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import structlog
from pydantic import ValidationError

from alerts.audit import DeliveryRecorder
from alerts.bulkhead import TimedNotifier
from alerts.channels.base import AlertStateName, Notifier, Receipt, StateUpdater
from alerts.delivery import update_with_retry
from alerts.deliverylog import DeliveryLog
from alerts.metrics import AlertMetrics
from alerts.records import DeliveryLogEntry
from alerts.response.records import AlertState
from config.schema import RetrySettings

log = structlog.get_logger("earful.alerts")
SHOWN: dict[str, AlertStateName | None] = {
    "acknowledged": "acknowledged",
    "resolved": "resolved",
    "snoozed": "snoozed",
    "open": None,  # a snooze ended: the message shows its buttons again
}


def shown_as(state: str) -> AlertStateName | Literal["unchanged"] | None:
    """What a message shows for an alert state; ``escalated`` changes nothing on it (the
    escalation is a message of its own)."""
    return SHOWN.get(state, "unchanged")


def updates_due(
    change: AlertState, entries: Mapping[str, DeliveryLogEntry]
) -> list[tuple[str, DeliveryLogEntry]]:
    """The delivered messages of ``change``'s alert that can be edited and do not show
    this change (or a later one) yet, sorted by key."""
    if shown_as(change.state) == "unchanged":
        return []
    return [
        (key, entry)
        for key, entry in sorted(entries.items())
        if entry.state == "delivered"
        and entry.receipt is not None
        and entry.sent is not None
        and (entry.shown_at is None or entry.shown_at < change.at)
    ]


@dataclass
class MessageUpdater:
    notifiers: Mapping[str, Sequence[Notifier]]
    delivery_log: DeliveryLog
    retry: RetrySettings
    metrics: AlertMetrics
    owns_source: Callable[[str], bool]  # "topic/partition/offset" -> this worker owns it
    recorder: DeliveryRecorder | None = None

    def __post_init__(self) -> None:
        self._changes: asyncio.Queue[AlertState] = asyncio.Queue()

    def observe(self, record: Any) -> None:
        """Queue a state change read from the alert-state topic."""
        if record.value is None:
            return
        try:
            self._changes.put_nowait(AlertState.model_validate_json(record.value))
        except ValidationError:
            log.warning("invalid alert state ignored", offset=record.offset)

    async def run(self, ready: asyncio.Event | None = None) -> None:
        """Apply queued changes one by one, each once ``ready`` is set."""
        while True:
            change = await self._changes.get()
            if ready is not None:
                await ready.wait()
            try:
                await self.apply(change)
            except Exception:  # one change must not stop the others
                log.exception("alert state not shown", alert_id=change.alert_id)

    async def apply(self, change: AlertState) -> None:
        state = shown_as(change.state)
        if state == "unchanged":
            return
        for key, entry in updates_due(change, self.delivery_log.for_alert(change.alert_id)):
            if not self.owns_source(entry.source):
                continue  # another worker owns the partition the alert came from
            _, receiver, integration = key.rsplit("|", 2)
            updater = self._updater(receiver, integration)
            if updater is None or entry.sent is None or entry.receipt is None:
                continue
            result = await update_with_retry(
                updater,
                entry.sent,
                state,
                Receipt(integration, entry.receipt),
                change.by,
                self.retry,
            )
            outcome = "updated" if result.delivered else "failed"
            self.metrics.message_updates.labels(integration, outcome).inc()
            about = log.bind(
                alert_id=change.alert_id,
                receiver=receiver,
                integration=integration,
                state=change.state,
            )
            if not result.delivered:
                about.warning("message not updated", error=str(result.error))
                continue
            about.info("message updated", by=change.by)
            shown = entry.model_copy(update={"shown_state": change.state, "shown_at": change.at})
            if self.recorder is not None:
                await self.recorder.write_log({key: shown})

    def _updater(self, receiver: str, integration: str) -> StateUpdater | None:
        for notifier in self.notifiers.get(receiver, ()):
            if notifier.integration != integration:
                continue
            if isinstance(notifier, TimedNotifier):
                return notifier.state_updater
            if isinstance(notifier, StateUpdater):
                return notifier
        return None
