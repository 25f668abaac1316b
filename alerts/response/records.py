"""The records the responder reads and writes: silences and alert states.

``Silence`` is the value of the compacted silences topic (key: the silence id, a null
value deletes it); ``AlertState`` is the value of the compacted alert-state topic (key:
the alert id).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

StateName = Literal["open", "acknowledged", "resolved", "snoozed", "escalated"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Silence(_Record):
    """Alerts whose labels match every matcher are not delivered between the two times."""

    id: Annotated[str, Field(min_length=1, max_length=128)]
    matchers: Annotated[list[str], Field(min_length=1, max_length=50)]
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    created_by: Annotated[str, Field(min_length=1, max_length=256)]
    comment: Annotated[str, Field(max_length=4096)] = ""

    def status(self, now: datetime) -> Literal["pending", "active", "expired"]:
        if now >= self.ends_at:
            return "expired"
        return "active" if now >= self.starts_at else "pending"


class AlertState(_Record):
    """The latest state of one alert, with who changed it, when, and until when (snooze)."""

    alert_id: Annotated[str, Field(min_length=1, max_length=512)]
    state: StateName
    by: Annotated[str, Field(max_length=256)]
    at: AwareDatetime
    until: AwareDatetime | None = None
