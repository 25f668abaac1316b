"""Settings of the delivery engine: grouping durations, digests, inhibition, fallbacks.

The routing tree itself (``Route``) lives in ``config.schema``; the types its grouping
fields use, and the cross-checks that span receivers, are declared here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from config.matchers import MatcherSyntaxError, parse_matcher

if TYPE_CHECKING:
    from config.schema import Problem, Route, Settings


class Strict(BaseModel):
    # The same contract as config.schema's models, which import this module.
    model_config = ConfigDict(extra="forbid", frozen=True)


def config_error(message: str, fix: str) -> PydanticCustomError:
    """A validation error whose message and fix reach the person reading the config."""
    return PydanticCustomError(
        "earful", message.replace("{", "{{").replace("}", "}}"), {"fix": fix}
    )


_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$")
_UNITS = (86400.0, 3600.0, 60.0, 1.0, 0.001)
MAX_DURATION_SECONDS = 7 * 86400.0


def parse_duration(value: object) -> float:
    """Seconds from a Prometheus-style duration (``30s``, ``5m``, ``1h30m``, ``1d``) or a number."""
    if isinstance(value, bool):
        raise config_error(f"invalid duration {value!r}", "write it like 30s, 5m, 4h or 1d")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and value.strip() and (found := _DURATION.match(value.strip())):
        seconds = sum(
            float(part) * unit for part, unit in zip(found.groups(), _UNITS, strict=True) if part
        )
    else:
        raise config_error(f"invalid duration {value!r}", "write it like 30s, 5m, 4h or 1d")
    if not 0 <= seconds <= MAX_DURATION_SECONDS:
        raise config_error(f"duration {value!r} is out of range", "use a value between 0s and 7d")
    return seconds


Duration = Annotated[float, BeforeValidator(parse_duration)]
"""Seconds; written in config as ``30s``, ``5m``, ``4h``, ``1d`` (or a plain number)."""

Priority = Literal["P1", "P2", "P3", "P4"]


def check_matchers(value: list[str]) -> list[str]:
    """Parse each matcher so that a malformed one is reported with its line."""
    for text in value:
        try:
            parse_matcher(text)
        except MatcherSyntaxError as error:
            raise config_error(str(error), 'write it as label="value"') from None
    return value


class Digest(Strict):
    """Alerts of these priorities are collected and sent as one ``digest`` alert per window."""

    priorities: list[Priority] = ["P4"]
    every: Literal["hourly", "daily"] = "hourly"
    max_items: Annotated[int, Field(ge=1, le=500)] = 50


class InhibitRule(Strict):
    """Alertmanager's inhibition: while an alert matching ``source_matchers`` is open,
    alerts matching ``target_matchers`` with equal values for ``equal`` are suppressed."""

    source_matchers: Annotated[list[str], Field(min_length=1)]
    target_matchers: Annotated[list[str], Field(min_length=1)]
    equal: list[str] = []

    _source = field_validator("source_matchers")(check_matchers)
    _target = field_validator("target_matchers")(check_matchers)


class DeliverySettings(Strict):
    """How the alert worker paces itself; every send has a timeout."""

    send_timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 30.0
    concurrency_per_receiver: Annotated[int, Field(ge=1, le=64)] = 4
    max_queued_deliveries: Annotated[int, Field(ge=1, le=1_000_000)] = 10_000
    commit_interval_seconds: Annotated[float, Field(gt=0, le=300)] = 1.0
    # How long the delivery log remembers an alert's outcome (what keeps it from being
    # sent twice, and lets its message be updated); bounds the alert worker's memory.
    remember_seconds: Annotated[int, Field(ge=60, le=366 * 86400)] = 7 * 86400


def cross_check_alerting(settings: Settings) -> list[Problem]:
    """Receivers named by fallbacks must exist; inhibition must be able to match."""
    problems: list[Problem] = []
    receivers = {r.name for r in settings.receivers} | {"console"}
    known = sorted(receivers)

    def undefined(at: tuple[str | int, ...], name: str | None, where: str) -> None:
        if name is not None and name not in receivers:
            problems.append(
                (
                    at,
                    f"undefined receiver {name!r} used in {where}",
                    f"define it under receivers: or use one of {known}",
                )
            )

    for i, team in enumerate(settings.teams):
        undefined(("teams", i, "fallback_receiver"), team.fallback_receiver, "fallback_receiver")
    for i, rule in enumerate(settings.inhibit_rules):
        if set(rule.source_matchers) == set(rule.target_matchers) and not rule.equal:
            problems.append(
                (
                    ("inhibit_rules", i),
                    "inhibit rule has the same source and target matchers and no equal labels",
                    'narrow target_matchers (e.g. kind="mention") or add equal: [brand]',
                )
            )
    _check_route_grouping(problems, settings.route, ("route",), undefined)
    _check_repeat_within_memory(problems, settings.route, ("route",), settings.delivery)
    return problems


def _check_repeat_within_memory(
    problems: list[Problem], route: Route, at: tuple[str | int, ...], delivery: DeliverySettings
) -> None:
    """An alert repeated less often than the delivery log remembers it would be sent again
    as new, not as a repeat: the log must outlive every repeat_interval."""
    if route.repeat_interval is not None and route.repeat_interval > delivery.remember_seconds:
        problems.append(
            (
                (*at, "repeat_interval"),
                f"repeat_interval {route.repeat_interval:g}s is longer than "
                f"delivery.remember_seconds {delivery.remember_seconds}s",
                "shorten repeat_interval or raise delivery.remember_seconds above it",
            )
        )
    for i, child in enumerate(route.routes):
        _check_repeat_within_memory(problems, child, (*at, "routes", i), delivery)


def _check_route_grouping(
    problems: list[Problem],
    route: Route,
    at: tuple[str | int, ...],
    undefined: Callable[[tuple[str | int, ...], str | None, str], None],
) -> None:
    undefined((*at, "fallback_receiver"), route.fallback_receiver, "fallback_receiver")
    if route.group_by is not None and "..." in route.group_by and len(route.group_by) > 1:
        problems.append(
            (
                (*at, "group_by"),
                "group_by '...' cannot be combined with other labels",
                "use either group_by: ['...'] or a list of labels",
            )
        )
    for i, child in enumerate(route.routes):
        _check_route_grouping(problems, child, (*at, "routes", i), undefined)
