"""Records the alert workers exchange over Kafka, defined once.

``Silence`` is the contract of the compacted silences topic (key: silence id; a null
value deletes it); ``DeliveryLogEntry`` the value of the compacted delivery log (key:
``alert_id|receiver|integration``); ``AuditEvent`` one line of the delivery audit topic.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from config.matchers import Matcher, MatcherSyntaxError, parse_matcher
from streams.records import Alert


class _Record(BaseModel):
    # Unknown fields are ignored so that writers can add optional fields first.
    model_config = ConfigDict(extra="ignore", frozen=True)


class Silence(_Record):
    """Suppresses every alert whose labels match all ``matchers`` between start and end."""

    id: Annotated[str, Field(min_length=1, max_length=128)]
    matchers: Annotated[list[str], Field(min_length=1, max_length=50)]
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    created_by: Annotated[str, Field(min_length=1, max_length=256)]
    comment: Annotated[str, Field(max_length=4096)] = ""

    @field_validator("matchers")
    @classmethod
    def _parse(cls, value: list[str]) -> list[str]:
        for text in value:
            try:
                parse_matcher(text)
            except MatcherSyntaxError as error:
                raise ValueError(str(error)) from None
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Silence:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self

    def parsed_matchers(self) -> tuple[Matcher, ...]:
        return tuple(parse_matcher(m) for m in self.matchers)

    def active_at(self, when: datetime) -> bool:
        return self.starts_at <= when < self.ends_at

    def status(self, now: datetime) -> Literal["pending", "active", "expired"]:
        if now >= self.ends_at:
            return "expired"
        return "active" if now >= self.starts_at else "pending"


def delivery_log_key(alert_id: str, receiver: str, integration: str) -> str:
    """The compacted delivery log's key: one outcome per alert, receiver and integration."""
    return f"{alert_id}|{receiver}|{integration}"


DeliveryState = Literal["sending", "delivered", "dead_lettered", "suppressed"]


class DeliveryLogEntry(_Record):
    """What happened to an alert at one receiver's integration, and where it was read.

    ``sending`` is written before a multi-alert notification goes out, with the id it is
    sent under, so a worker restarted mid-send re-sends it under the same id.
    """

    state: DeliveryState
    notification_id: str
    at: AwareDatetime
    source: str = Field(description="topic/partition/offset the alert was read from")
    # Kept only for a message a channel can edit later (Slack chat.update, PagerDuty):
    receipt: dict[str, str] | None = Field(
        default=None, description="what the channel gave back, e.g. Slack's channel and ts"
    )
    sent: Alert | None = Field(default=None, description="the alert as sent, to redraw it")
    shown_state: str | None = Field(default=None, description="the state the message shows")
    shown_at: AwareDatetime | None = Field(
        default=None, description="when that state was set (the alert-state record's at)"
    )


AuditOutcome = Literal[
    "delivered",
    "retry",
    "failed",
    "dead_lettered",
    "suppressed",
    "duplicate",
    "fallback_delivered",
    "fallback_failed",
]


class AuditEvent(_Record):
    """One delivery attempt or decision, kept for audit (key: alert id)."""

    alert_id: str
    notification_id: str
    receiver: str
    integration: str
    outcome: AuditOutcome
    attempt: int = 0
    reason: str = ""
    detail: str = ""
    at: AwareDatetime
