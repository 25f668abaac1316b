"""Which sent messages a state change updates: delivered, editable, not showing it yet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from alerts.bulkhead import TimedNotifier, can_update
from alerts.deliverylog import DeliveryLog, alert_id_of
from alerts.records import DeliveryLogEntry, delivery_log_key
from alerts.response.records import AlertState
from alerts.updates import shown_as, updates_due
from tests.support.alerts import sample_alert

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def entry(**changes: object) -> DeliveryLogEntry:
    base = DeliveryLogEntry(
        state="delivered",
        notification_id="n1",
        at=T0,
        source="earful.alerts.v1/0/7",
        receipt={"channel": "C1", "ts": "1.000100"},
        sent=sample_alert(alert_id="mention:x:1"),
    )
    return base.model_copy(update=changes)


def change(name: str, at: datetime = T0 + timedelta(minutes=1)) -> AlertState:
    return AlertState(alert_id="mention:x:1", state=name, by="slack:mira", at=at)  # type: ignore[arg-type]


def test_a_delivered_editable_message_is_updated_once_per_change() -> None:
    key = delivery_log_key("mention:x:1", "care", "slack")
    assert updates_due(change("acknowledged"), {key: entry()}) == [(key, entry())]
    shown = entry(shown_state="acknowledged", shown_at=T0 + timedelta(minutes=1))
    assert updates_due(change("acknowledged"), {key: shown}) == []
    # A later change (resolved after acknowledged) is shown; an older one is not.
    assert updates_due(change("resolved", T0 + timedelta(minutes=2)), {key: shown}) != []
    assert updates_due(change("snoozed", T0), {key: shown}) == []


def test_messages_that_cannot_or_need_not_change_are_left_alone() -> None:
    key = delivery_log_key("mention:x:1", "care", "slack")
    for not_editable in (
        entry(receipt=None),  # incoming webhook, email, Teams, a group's message
        entry(sent=None),
        entry(state="dead_lettered"),
        entry(state="sending"),
        entry(state="suppressed"),
    ):
        assert updates_due(change("acknowledged"), {key: not_editable}) == []
    assert updates_due(change("escalated"), {key: entry()}) == []  # a message of its own


def test_states_map_to_what_a_message_shows() -> None:
    assert [shown_as(s) for s in ("acknowledged", "resolved", "snoozed", "open", "escalated")] == [
        "acknowledged",
        "resolved",
        "snoozed",
        None,  # open again: the buttons come back
        "unchanged",
    ]


@given(
    alert_id=st.text(min_size=1, max_size=40),
    receiver=st.from_regex(r"[a-z][a-z0-9_-]{0,20}", fullmatch=True),
    integration=st.sampled_from(["slack", "pagerduty", "email", "msteams", "webhook"]),
)
def test_the_log_finds_an_alerts_entries_whatever_its_id_holds(
    alert_id: str, receiver: str, integration: str
) -> None:
    key = delivery_log_key(alert_id, receiver, integration)
    assert alert_id_of(key) == alert_id
    log = DeliveryLog()
    log.put(key, entry())
    log.put(delivery_log_key(alert_id + "x", receiver, integration), entry())
    assert list(log.for_alert(alert_id)) == [key]


class _Sends:
    integration = "webhook"

    async def notify(self, alert: object) -> None:
        return None

    async def close(self) -> None:
        return None


class _SendsAndEdits(_Sends):
    integration = "slack"

    async def update(self, alert: object, state: object, receipt: object, by: object) -> None:
        return None


def test_only_channels_that_can_edit_keep_a_receipt() -> None:
    assert not can_update(TimedNotifier(_Sends(), 5))  # type: ignore[arg-type]
    assert can_update(TimedNotifier(_SendsAndEdits(), 5))  # type: ignore[arg-type]
