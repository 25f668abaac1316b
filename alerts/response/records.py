"""The records the responder reads and writes: silences (defined in ``alerts.records``) and
alert states.

``Silence`` is the value of the compacted silences topic (key: the silence id, a null
value deletes it); ``AlertState`` is the value of the compacted alert-state topic (key:
the alert id).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from alerts.records import Silence  # one silence record, read by the alert worker too

__all__ = ["AlertState", "Silence", "StateName"]

StateName = Literal["open", "acknowledged", "resolved", "snoozed", "escalated"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class AlertState(_Record):
    """The latest state of one alert, with who changed it, when, and until when (snooze)."""

    alert_id: Annotated[str, Field(min_length=1, max_length=512)]
    state: StateName
    by: Annotated[str, Field(max_length=256)]
    at: AwareDatetime
    until: AwareDatetime | None = None
