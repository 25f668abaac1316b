"""What a person's action does to an alert's state (pure).

acknowledge: someone is on it, escalation stops. resolve: done, nothing more happens.
snooze: escalation pauses until ``until``; if nobody acknowledged by then, the chain
continues with its next step. A resolved alert stays resolved; repeating an action (a
double click) changes nothing and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from alerts.response.errors import InvalidRequestError
from alerts.response.records import AlertState, StateName

ACTION_STATES: dict[str, StateName] = {
    "acknowledge": "acknowledged",
    "resolve": "resolved",
    "snooze": "snoozed",
}
ACTIONS = tuple(ACTION_STATES)


@dataclass(frozen=True)
class Outcome:
    state: AlertState
    changed: bool


def apply_action(
    current: AlertState | None,
    action: str,
    alert_id: str,
    by: str,
    now: datetime,
    snooze_seconds: float,
) -> Outcome:
    """The state after ``action``; ``changed`` is False when there is nothing to write."""
    if action not in ACTION_STATES:
        raise InvalidRequestError(f"unknown action {action!r}; use one of {', '.join(ACTIONS)}")
    wanted = ACTION_STATES[action]
    if current is not None and current.state == "resolved":
        if wanted == "resolved":
            return Outcome(current, False)
        raise InvalidRequestError(f"alert {alert_id} is already resolved (by {current.by})")
    if current is not None and current.state == wanted and wanted != "snoozed":
        return Outcome(current, False)
    until = now + timedelta(seconds=snooze_seconds) if wanted == "snoozed" else None
    return Outcome(AlertState(alert_id=alert_id, state=wanted, by=by, at=now, until=until), True)


def stops_escalation(state: AlertState | None) -> bool:
    return state is not None and state.state in ("acknowledged", "resolved")
