from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from prometheus_client import CollectorRegistry

from alerts.dispatch import Flush, Unit
from alerts.errors import DeliveryError
from alerts.inhibit import Inhibitor
from alerts.metrics import AlertMetrics
from alerts.notifications import notifications_for
from alerts.offsets import OffsetTracker
from alerts.records import Silence
from alerts.routing import RouteNode
from alerts.sending import Sender
from alerts.silences import SilenceView
from alerts.test_dispatch import make_alert
from config.schema import Route, Settings
from streams.records import Alert, DeadLetterReason

NOW = datetime(2026, 11, 22, 9, tzinfo=UTC)


class Recorder:
    def __init__(self, calls: list[tuple[Any, ...]]) -> None:
        self.calls = calls

    async def audit(self, unit: Unit, outcome: str, **fields: Any) -> None:
        self.calls.append(("audit", unit.alert.alert_id, outcome, fields.get("reason", "")))

    async def outcome(self, units: list[Unit], state: str, notification_id: str, **_: Any) -> None:
        self.calls.append(("log", tuple(u.alert.alert_id for u in units), state, notification_id))

    async def dead_letter(self, record: Any, reason: DeadLetterReason, detail: str) -> None:
        self.calls.append(("dead_letter", record.value, reason, detail))


class Channel:
    def __init__(self, calls: list[tuple[Any, ...]], name: str, failures: int = 0) -> None:
        self.integration = "webhook"
        self.calls, self.name, self.failures = calls, name, failures

    async def notify(self, alert: Alert) -> None:
        self.calls.append(("notify", self.name, alert.alert_id))
        if self.failures:
            self.failures -= 1
            raise DeliveryError("HTTP 400", retriable=False, reason="http_4xx")

    async def close(self) -> None:
        return None


SETTINGS = Settings.model_validate(
    {
        "teams": [{"name": "care", "fallback_receiver": "care-fallback"}],
        "receivers": [
            {"name": "care", "console_configs": [{}]},
            {"name": "care-fallback", "console_configs": [{}]},
        ],
        "route": {"receiver": "care"},
        "retry": {"max_attempts": 2, "initial_backoff_seconds": 0.001},
    }
)
ROOT = RouteNode.build(Route(receiver="care"))


def setup(failures: int = 0) -> tuple[Sender, list[tuple[Any, ...]], OffsetTracker, SilenceView]:
    calls: list[tuple[Any, ...]] = []
    tracker, silences = OffsetTracker(), SilenceView()
    sender = Sender(
        SETTINGS,
        {"care": [Channel(calls, "care", failures)], "care-fallback": [Channel(calls, "fallback")]},
        Recorder(calls),  # type: ignore[arg-type]
        tracker,
        silences,
        Inhibitor.build([]),
        AlertMetrics(CollectorRegistry(), [], []),
        clock=lambda: NOW,
    )
    return sender, calls, tracker, silences


def units(tracker: OffsetTracker, count: int) -> list[Unit]:
    found = []
    for i in range(count):
        ticket = tracker.begin(("alerts", 0), i)
        record = SimpleNamespace(value=f"raw{i}".encode(), timestamp=0)
        alert = make_alert(f"m:{i}")
        found.append(
            Unit(alert, dict(alert.labels), ROOT, "care", 0, "webhook", f"a/0/{i}", ticket, record)
        )
    return found


async def test_a_delivered_alert_is_logged_audited_and_released() -> None:
    sender, calls, tracker, _ = setup()
    (unit,) = units(tracker, 1)
    await sender.send(notifications_for(Flush("group", ("k",), [unit]))[0])
    assert calls == [
        ("notify", "care", "m:0"),
        ("log", ("m:0",), "delivered", "m:0"),
        ("audit", "m:0", "delivered", ""),
    ]
    assert tracker.committable() == {("alerts", 0): 1}


async def test_after_the_cap_the_alert_is_dead_lettered_and_the_fallback_told() -> None:
    sender, calls, tracker, _ = setup(failures=5)
    (unit,) = units(tracker, 1)
    await sender.send(notifications_for(Flush("group", ("k",), [unit]))[0])
    kinds = [c[0] for c in calls]
    # A permanent error is not retried: one attempt at care, one at its fallback.
    assert calls[0] == ("notify", "care", "m:0") and kinds.count("notify") == 2
    assert calls[2][:3] == ("dead_letter", b"raw0", DeadLetterReason.DELIVERY_FAILED)
    assert ("notify", "fallback", "undelivered:care:webhook:m:0") in calls
    assert calls[-1] == ("log", ("m:0",), "dead_lettered", "m:0")
    assert ("audit", "m:0", "fallback_delivered", "") in calls
    assert tracker.committable() == {("alerts", 0): 1}
    value = sender.metrics.registry.get_sample_value(
        "earful_alert_fallback_notifications_total", {"outcome": "delivered"}
    )
    assert value == 1


async def test_a_multi_alert_notification_is_written_ahead_before_it_is_sent() -> None:
    sender, calls, tracker, _ = setup()
    group = units(tracker, 3)
    (notification,) = notifications_for(Flush("group", ("k",), group))
    await sender.send(notification)
    assert calls[0] == ("log", ("m:0", "m:1", "m:2"), "sending", notification.id)
    assert calls[1] == ("notify", "care", notification.id)
    assert calls[2] == ("log", ("m:0", "m:1", "m:2"), "delivered", notification.id)


async def test_silenced_units_are_recorded_and_released_not_sent() -> None:
    sender, calls, tracker, silences = setup()
    silence = Silence(
        id="s1",
        matchers=['kind="mention"'],
        starts_at=NOW - timedelta(minutes=1),
        ends_at=NOW + timedelta(hours=1),
        created_by="ana",
    )
    silences.put("s1", silence.model_dump_json().encode())
    kept = await sender.suppress(units(tracker, 2))
    assert kept == []
    assert ("audit", "m:0", "suppressed", "silenced") in calls
    assert ("log", ("m:1",), "suppressed", "m:1") in calls
    assert tracker.committable() == {("alerts", 0): 2}
