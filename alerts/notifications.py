"""What a flushed group becomes: one notification per alert, or one summary of several.

A group of one is sent as the alert itself (its id is the idempotency key). Several
alerts, and digests, become one alert of kind ``digest`` listing them, with an id derived
from its contents so that a re-send after a crash carries the same key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from alerts.dispatch import Flush, Unit, window_label
from streams.records import Alert, Priority

ITEM_CHARS = 200


@dataclass(frozen=True)
class Notification:
    id: str
    alert: Alert
    units: list[Unit]
    receiver: str
    integration: int
    integration_name: str

    @property
    def multi(self) -> bool:
        return len(self.units) > 1 or self.alert.kind == "digest"


def notifications_for(flush: Flush) -> list[Notification]:
    units = flush.units
    first = units[0]
    if flush.kind == "resume":  # even one alert goes under the id it was sent with
        return [_summary(flush.key[-1], units, "group", None)]
    if flush.kind == "digest":
        limit = first.node.digest.max_items if first.node.digest else len(units)
        chunks = [units[i : i + limit] for i in range(0, len(units), limit)]
        return [
            _summary(_digest_id(flush, chunk, i), chunk, "digest", flush.window_start)
            for i, chunk in enumerate(chunks)
        ]
    if len(units) == 1:
        alert = first.alert
        if first.repeat:  # sent before: a new idempotency key for the re-notification
            alert = alert.model_copy(update={"alert_id": f"{alert.alert_id}@{first.source}"})
        return [_notification(alert.alert_id, alert, units)]
    return [_summary(_id("group", first, units), units, "group", None)]


def _notification(notification_id: str, alert: Alert, units: list[Unit]) -> Notification:
    first = units[0]
    return Notification(
        notification_id, alert, units, first.receiver, first.integration, first.integration_name
    )


def _summary(
    notification_id: str, units: list[Unit], grouped: str, window_start: float | None
) -> Notification:
    alerts = [u.alert for u in units]
    common = dict(set.intersection(*(set(u.labels.items()) for u in units)))
    team = common.get("team") or None
    priority: Priority = min(a.priority for a in alerts)
    labels = {**common, "kind": "digest", "grouped": grouped, "count": str(len(alerts))}
    whom = f" for {team}" if team else ""
    if window_start is not None:
        labels["window_start"] = window_label(window_start)
        head = f"Digest{whom}: {len(alerts)} alerts since {labels['window_start']}"
    else:
        head = f"{len(alerts)} alerts{whom}"
    if brand := common.get("brand"):
        head += f" about {brand}"
    alert = Alert(
        alert_id=notification_id,
        kind="digest",
        team=team,
        priority=priority,
        labels=labels,
        summary=head,
        reasons=[_line(a) for a in alerts],
        created_at=max(a.created_at for a in alerts),
    )
    return _notification(notification_id, alert, units)


def _line(alert: Alert) -> str:
    url = alert.mention.url if alert.mention and alert.mention.url else ""
    text = alert.summary if len(alert.summary) <= ITEM_CHARS else alert.summary[: ITEM_CHARS - 1]
    return " ".join(p for p in (f"[{alert.priority}]", text, url) if p)


def _id(prefix: str, first: Unit, units: list[Unit]) -> str:
    digest = hashlib.sha256()
    for part in (first.receiver, first.integration_name, *sorted(u.alert.alert_id for u in units)):
        digest.update(part.encode() + b"\0")
    return f"{prefix}:{first.receiver}:{digest.hexdigest()[:20]}"


def _digest_id(flush: Flush, chunk: list[Unit], index: int) -> str:
    start = window_label(flush.window_start or 0)
    return f"{_id('digest', chunk[0], chunk)}:{start}:{index}"
