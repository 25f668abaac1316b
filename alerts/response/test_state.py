from datetime import UTC, datetime, timedelta

import pytest

from alerts.response.errors import InvalidRequestError
from alerts.response.records import AlertState
from alerts.response.state import apply_action, stops_escalation

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def state(name: str, by: str = "slack:mira") -> AlertState:
    return AlertState(alert_id="a", state=name, by=by, at=NOW)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("before", "action", "after"),
    [
        (None, "acknowledge", "acknowledged"),
        (None, "resolve", "resolved"),
        (None, "snooze", "snoozed"),
        ("escalated", "acknowledge", "acknowledged"),
        ("snoozed", "acknowledge", "acknowledged"),
        ("acknowledged", "resolve", "resolved"),
        ("acknowledged", "snooze", "snoozed"),
    ],
)
def test_actions_move_the_state(before: str | None, action: str, after: str) -> None:
    current = state(before) if before else None
    outcome = apply_action(current, action, "a", "slack:ana", NOW, 600)
    assert outcome.changed
    assert (outcome.state.state, outcome.state.by, outcome.state.at) == (after, "slack:ana", NOW)
    expected_until = NOW + timedelta(seconds=600) if after == "snoozed" else None
    assert outcome.state.until == expected_until


def test_repeating_an_action_writes_nothing() -> None:
    for name, action in (("acknowledged", "acknowledge"), ("resolved", "resolve")):
        outcome = apply_action(state(name), action, "a", "slack:ana", NOW, 600)
        assert not outcome.changed
        assert outcome.state.by == "slack:mira"


def test_a_resolved_alert_cannot_be_acknowledged_or_snoozed() -> None:
    for action in ("acknowledge", "snooze"):
        with pytest.raises(InvalidRequestError, match="already resolved"):
            apply_action(state("resolved"), action, "a", "x", NOW, 600)


def test_unknown_actions_are_refused() -> None:
    with pytest.raises(InvalidRequestError, match="unknown action"):
        apply_action(None, "delete", "a", "x", NOW, 600)


def test_only_acknowledge_and_resolve_stop_escalation() -> None:
    assert stops_escalation(state("acknowledged")) and stops_escalation(state("resolved"))
    assert not any(stops_escalation(state(s)) for s in ("open", "snoozed", "escalated"))
    assert not stops_escalation(None)
