"""Response deadlines: an SLA per priority, counted in the owning team's business hours
when the priority says so (pure).

Business hours are wall-clock times in the team's time zone, so they follow daylight
saving time; holidays are skipped. A priority whose SLA ignores business hours (P1 by
default) is counted round the clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from config.response import WEEKDAYS, BusinessHours, ResponseSettings, clock_seconds

MAX_DAYS_AHEAD = 3 * 366  # a deadline further than this means the hours are a mistake


def _at(day: date, seconds: int, zone: ZoneInfo) -> datetime:
    midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
    if seconds >= 86400:
        following = day + timedelta(days=1)
        return datetime(following.year, following.month, following.day, tzinfo=zone)
    local = midnight.replace(hour=seconds // 3600, minute=seconds % 3600 // 60)
    return local.astimezone(UTC)


def business_intervals(
    hours: BusinessHours, after: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """Open periods (UTC, start inclusive, end inclusive) from ``after`` onwards, in order."""
    zone = ZoneInfo(hours.timezone)
    opens, closes = clock_seconds(hours.start), clock_seconds(hours.end)
    days = {WEEKDAYS.index(d) for d in hours.days}
    holidays = set(hours.holidays)
    first = after.astimezone(zone).date() - timedelta(days=1)
    for offset in range(MAX_DAYS_AHEAD):
        day = first + timedelta(days=offset)
        if day.weekday() not in days or day in holidays:
            continue
        start = _at(day, opens, zone).astimezone(UTC)
        end = _at(day, closes, zone).astimezone(UTC)
        if end < after or end <= start:
            continue
        yield max(start, after), end


def is_business_time(hours: BusinessHours, moment: datetime) -> bool:
    return any(s <= moment <= e for s, e in _first(business_intervals(hours, moment), 2))


def _first(
    intervals: Iterator[tuple[datetime, datetime]], count: int
) -> list[tuple[datetime, datetime]]:
    return [interval for _, interval in zip(range(count), intervals, strict=False)]


def business_deadline(hours: BusinessHours, start: datetime, seconds: float) -> datetime:
    """The moment when ``seconds`` of business time have passed since ``start``."""
    remaining = timedelta(seconds=seconds)
    for opens, closes in business_intervals(hours, start):
        if remaining <= closes - opens:
            return opens + remaining
        remaining -= closes - opens
    raise ValueError(f"no deadline within {MAX_DAYS_AHEAD} days for team {hours.team!r}")


def response_deadline(
    response: ResponseSettings, priority: str, team: str | None, created_at: datetime
) -> datetime | None:
    """When an alert must be acknowledged by, or None when its priority has no SLA."""
    sla = response.sla_for(priority)
    if sla.respond_within_seconds is None:
        return None
    start = created_at if created_at.tzinfo else created_at.replace(tzinfo=UTC)
    hours = response.hours_for(team) if sla.business_hours else None
    if hours is not None:
        try:
            return business_deadline(hours, start, sla.respond_within_seconds)
        except ValueError:
            pass  # hours too short for this SLA within years: count round the clock instead
    return start + timedelta(seconds=sla.respond_within_seconds)
