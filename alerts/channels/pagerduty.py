"""PagerDuty Events API v2: trigger, acknowledge and resolve one alert by its dedup key.

The ``dedup_key`` is the alert id, so a retried or redelivered trigger updates the same
PagerDuty alert instead of paging twice, and a later acknowledge/resolve finds it.
PagerDuty answers 202 when it accepted an event, 400 for an invalid one (permanent),
429 when rate limited and 5xx when it failed (both retriable).
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

import httpx
import orjson

from alerts.channels.base import AlertStateName, Receipt
from alerts.channels.content import truncate, view
from alerts.channels.http import PacedTarget, classify_response, send_paced
from alerts.channels.pacing import Pacer, destination_key
from alerts.errors import DeliveryError
from config.receivers import PagerDutyConfig
from streams.records import Alert

EventAction = Literal["trigger", "acknowledge", "resolve"]
SUMMARY_CHARS = 1024  # PagerDuty's limit for payload.summary
DEDUP_KEY_CHARS = 255
STATE_ACTIONS: dict[AlertStateName, EventAction | None] = {
    "acknowledged": "acknowledge",
    "resolved": "resolve",
    "snoozed": None,  # PagerDuty has no snooze event; its incident stays as it is
}


def dedup_key(alert_id: str) -> str:
    """The alert id; one too long for PagerDuty keeps its start and gains a digest of all."""
    if len(alert_id) <= DEDUP_KEY_CHARS:
        return alert_id
    return alert_id[:190] + ":" + hashlib.sha256(alert_id.encode()).hexdigest()


def trigger_event(alert: Alert, config: PagerDutyConfig) -> dict[str, Any]:
    shown = view(alert)
    details: dict[str, Any] = {label.lower(): value for label, value in shown.facts()}
    details.update(
        alert_id=alert.alert_id, kind=alert.kind, text=shown.text, reasons=list(shown.reasons)
    )
    event: dict[str, Any] = {
        "routing_key": config.routing_key.get_secret_value(),
        "event_action": "trigger",
        "dedup_key": dedup_key(alert.alert_id),
        "client": config.client,
        "payload": {
            "summary": truncate(f"{shown.title}: {' '.join(shown.text.split())}", SUMMARY_CHARS),
            "source": config.source,
            "severity": config.severity[alert.priority],
            "timestamp": alert.created_at.isoformat(),
            "component": shown.brand or None,
            "group": shown.team,
            "class": alert.kind,
            "custom_details": details,
        },
    }
    if config.client_url:
        event["client_url"] = config.client_url
    if shown.url:
        event["links"] = [{"href": shown.url, "text": "The post"}]
    event["payload"] = {k: v for k, v in event["payload"].items() if v is not None}
    return event


def classify_pagerduty(response: httpx.Response) -> DeliveryError | None:
    failure = classify_response(response)
    if failure is None or response.status_code != 400:
        return failure
    try:
        errors = orjson.loads(response.content).get("errors") or []
    except (orjson.JSONDecodeError, AttributeError):
        errors = []
    detail = "; ".join(str(e) for e in errors)[:500] or "no detail"
    return DeliveryError(
        f"PagerDuty rejected the event as invalid: {detail}", retriable=False, reason="payload"
    )


class PagerDutyNotifier:
    integration = "pagerduty"

    def __init__(
        self,
        config: PagerDutyConfig,
        *,
        pacer: Pacer | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.config = config
        self.client = client or httpx.AsyncClient(timeout=config.timeout_seconds)
        key = destination_key("pagerduty", config.url, config.routing_key.get_secret_value())
        self.target = PacedTarget(self.client, pacer or Pacer(), key, config.pacing)

    async def notify(self, alert: Alert) -> Receipt | None:
        event = trigger_event(alert, self.config)
        await self._send(event)
        return Receipt(self.integration, {"dedup_key": event["dedup_key"]})

    async def acknowledge(self, alert_id: str) -> None:
        await self._send(self._follow_up("acknowledge", alert_id))

    async def resolve(self, alert_id: str) -> None:
        await self._send(self._follow_up("resolve", alert_id))

    async def update(
        self,
        alert: Alert,
        state: AlertStateName | None,
        receipt: Receipt,
        by: str | None = None,
    ) -> None:
        action = None if state is None else STATE_ACTIONS[state]
        if action is not None:  # open again (a snooze ended): PagerDuty has no such event
            await self._send(self._follow_up(action, alert.alert_id))

    async def close(self) -> None:
        await self.client.aclose()

    def _follow_up(self, action: EventAction, alert_id: str) -> dict[str, Any]:
        return {
            "routing_key": self.config.routing_key.get_secret_value(),
            "event_action": action,
            "dedup_key": dedup_key(alert_id),
        }

    async def _send(self, event: dict[str, Any]) -> None:
        await send_paced(
            self.target, self.config.url, orjson.dumps(event), classify=classify_pagerduty
        )
