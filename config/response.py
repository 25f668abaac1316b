"""Settings of the responder: acknowledge/resolve/snooze endpoints, silences API, response
SLAs per priority, business hours per team and escalation chains.

Kept apart from ``config/schema.py`` (which only holds the ``response:`` field) so that the
responder's settings live in one place; cross-section checks are in :func:`response_problems`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator

from config.alerting import check_matchers
from config.base import Strict, config_error

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SlaPriority = Literal["P1", "P2", "P3", "P4"]
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")


def clock_seconds(text: str) -> int:
    """Seconds since midnight of ``HH:MM`` (``24:00`` is the end of the day)."""
    hours, minutes = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60


class BusinessHours(Strict):
    """When a team answers: its days, opening and closing times in its time zone."""

    team: str
    timezone: str = "UTC"
    days: list[Weekday] = ["mon", "tue", "wed", "thu", "fri"]
    start: str = "09:00"
    end: str = "17:00"
    holidays: list[date] = []

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise config_error(
                f"unknown time zone {value!r}", "use an IANA name such as Europe/Lisbon or UTC"
            ) from None
        return value

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _CLOCK.match(value):
            raise config_error(
                f"{value!r} is not a time of day", 'write it as "HH:MM", e.g. "09:00"'
            )
        return value

    @model_validator(mode="after")
    def _opens_before_closing(self) -> BusinessHours:
        if clock_seconds(self.start) >= clock_seconds(self.end):
            raise config_error(
                f"business hours of team {self.team!r} start at {self.start} but end at {self.end}",
                'make start earlier than end (overnight hours: end "24:00" and start "00:00")',
            )
        if not self.days:
            raise config_error(
                f"business hours of team {self.team!r} have no days",
                "list at least one day, e.g. days: [mon, tue, wed, thu, fri]",
            )
        return self


class PrioritySla(Strict):
    """How soon an alert of one priority must be acknowledged."""

    respond_within_seconds: Annotated[float, Field(gt=0, le=30 * 86400)] | None
    business_hours: bool = True


def _default_slas() -> dict[SlaPriority, PrioritySla]:
    return {
        "P1": PrioritySla(respond_within_seconds=900, business_hours=False),
        "P2": PrioritySla(respond_within_seconds=3600),
        "P3": PrioritySla(respond_within_seconds=4 * 3600),
        "P4": PrioritySla(respond_within_seconds=24 * 3600),
    }


EscalationAction = Literal["notify_again", "notify_receiver", "page"]


class EscalationStep(Strict):
    """Wait, then act: notify the alert's own receivers again, another receiver, or page."""

    wait_seconds: Annotated[float, Field(ge=0, le=30 * 86400)] = 0
    action: EscalationAction = "notify_again"
    receiver: str | None = None

    @model_validator(mode="after")
    def _receiver_when_needed(self) -> EscalationStep:
        if self.action == "notify_again" and self.receiver is not None:
            raise config_error(
                "a notify_again step goes to the alert's own receivers, so it takes no receiver",
                "remove receiver:, or use action: notify_receiver",
            )
        if self.action != "notify_again" and self.receiver is None:
            raise config_error(
                f"escalation step {self.action} needs a receiver",
                "add receiver: <name of a receiver defined under receivers:>",
            )
        return self


class EscalationChain(Strict):
    """Steps run in order once an alert is past its SLA; the first chain whose matchers all
    match the alert's labels applies (no matchers: every alert)."""

    name: str
    matchers: list[str] = []
    steps: Annotated[list[EscalationStep], Field(min_length=1, max_length=20)]
    repeat: Annotated[int, Field(ge=0, le=10)] = 0

    @field_validator("matchers")
    @classmethod
    def _parse(cls, value: list[str]) -> list[str]:
        return check_matchers(value)

    def step_count(self) -> int:
        return len(self.steps) * (self.repeat + 1)

    def step(self, number: int) -> EscalationStep:
        """Step ``number`` (1-based, counting repeats: 1..step_count())."""
        return self.steps[(number - 1) % len(self.steps)]


class ResponseSettings(Strict):
    """The ``response:`` section: the responder process (``earful worker responder``)."""

    listen_host: str = "127.0.0.1"
    listen_port: Annotated[int, Field(ge=1, le=65535)] = 9180
    public_url: Annotated[str, Field(pattern=r"^https?://[^\s/]+(/[^\s]*)?$")] = (
        "http://127.0.0.1:9180"
    )
    metrics_port: Annotated[int, Field(ge=0, le=65535)] = 9103
    slack_signing_secret: SecretStr | None = None
    link_signing_key: SecretStr | None = None
    link_previous_keys: list[SecretStr] = []
    link_ttl_seconds: Annotated[int, Field(ge=60, le=30 * 86400)] = 3 * 86400
    api_tokens: list[SecretStr] = []
    snooze_seconds: Annotated[float, Field(gt=0, le=7 * 86400)] = 3600
    max_lateness_seconds: Annotated[float, Field(gt=0)] = 3600
    sla: dict[SlaPriority, PrioritySla] = Field(default_factory=_default_slas)
    business_hours: list[BusinessHours] = []
    escalation: list[EscalationChain] = []

    @field_validator("slack_signing_secret", "link_signing_key", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # ``${SLACK_SIGNING_SECRET:-}`` with the variable unset must turn the feature off,
        # never verify against an empty key.
        return None if value == "" else value

    @field_validator("api_tokens", mode="before")
    @classmethod
    def _drop_empty_tokens(cls, value: object) -> object:
        return [t for t in value if t != ""] if isinstance(value, list) else value

    @field_validator("link_signing_key")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise config_error(
                "link_signing_key is shorter than 32 characters",
                "generate one: python -c 'import secrets; print(secrets.token_urlsafe(32))'",
            )
        return value

    def sla_for(self, priority: str) -> PrioritySla:
        chosen = {**_default_slas(), **self.sla}
        return next(sla for name, sla in chosen.items() if name == priority)

    def hours_for(self, team: str | None) -> BusinessHours | None:
        return next((h for h in self.business_hours if h.team == team), None)

    def max_steps(self) -> int:
        return max((c.step_count() for c in self.escalation), default=0)


Problem = tuple[tuple[str | int, ...], str, str]


def response_problems(
    response: ResponseSettings, receivers: set[str], teams: set[str]
) -> list[Problem]:
    """Checks against other sections: receivers the chains name, teams with business hours."""
    problems: list[Problem] = []
    for i, hours in enumerate(response.business_hours):
        if hours.team not in teams:
            problems.append(
                (
                    ("response", "business_hours", i, "team"),
                    f"undefined team {hours.team!r} in business_hours",
                    f"use one of {sorted(teams) or 'the teams you define'}",
                )
            )
    seen: set[str] = set()
    for i, hours in enumerate(response.business_hours):
        if hours.team in seen:
            problems.append(
                (
                    ("response", "business_hours", i, "team"),
                    f"team {hours.team!r} has business hours twice",
                    "keep one entry per team",
                )
            )
        seen.add(hours.team)
    for i, chain in enumerate(response.escalation):
        for j, step in enumerate(chain.steps):
            if step.receiver is not None and step.receiver not in receivers:
                problems.append(
                    (
                        ("response", "escalation", i, "steps", j, "receiver"),
                        f"undefined receiver {step.receiver!r} used in escalation chain "
                        f"{chain.name!r}",
                        f"define it under receivers: or use one of {sorted(receivers)}",
                    )
                )
    return problems
