"""What every channel implements, and the small types channels share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from streams.records import Alert

# What a person can do to an alert from a message: the Slack buttons' action ids are
# ``earful_<action>``, and ``LinkFor`` gives the signed URL behind a Teams/email button.
Action = Literal["ack", "resolve", "snooze"]
ACTIONS: tuple[Action, ...] = ("ack", "resolve", "snooze")
AlertStateName = Literal["acknowledged", "resolved", "snoozed"]
LinkFor = Callable[[str, Action], str | None]


def no_links(alert_id: str, action: Action) -> str | None:
    """The ``LinkFor`` used when no signed links are configured: no buttons."""
    return None


@dataclass(frozen=True)
class Receipt:
    """What a channel gave back for a sent alert, enough to update it later.

    ``ref`` is plain strings so it can be stored as JSON (a delivery log), e.g. Slack's
    ``{"channel": "C1", "ts": "1700000000.000100"}`` or PagerDuty's ``{"dedup_key": ...}``.
    """

    integration: str
    ref: dict[str, str] = field(default_factory=dict)


class Notifier(Protocol):
    """Sends one alert; raises :class:`alerts.errors.DeliveryError` when it was not accepted."""

    integration: str

    async def notify(self, alert: Alert) -> Receipt | None: ...

    async def close(self) -> None: ...


@runtime_checkable
class StateUpdater(Protocol):
    """A channel that can show a state change on what it sent (Slack, PagerDuty);
    ``state`` None: open again (a snooze ended)."""

    integration: str

    async def update(
        self,
        alert: Alert,
        state: AlertStateName | None,
        receipt: Receipt,
        by: str | None = None,
    ) -> None: ...
