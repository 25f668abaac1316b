from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alerts.response.sla import (
    business_deadline,
    business_intervals,
    is_business_time,
    response_deadline,
)
from config.response import (
    WEEKDAYS,
    BusinessHours,
    PrioritySla,
    ResponseSettings,
    clock_seconds,
)

LISBON = BusinessHours(team="care", timezone="Europe/Lisbon", start="09:00", end="18:00")


def lisbon(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo("Europe/Lisbon"))  # type: ignore[misc]


def test_time_after_closing_on_friday_counts_from_monday_morning() -> None:
    friday_late = lisbon(2026, 11, 20, 17, 30)
    assert business_deadline(LISBON, friday_late, 3600) == lisbon(2026, 11, 23, 9, 30)


def test_an_alert_at_night_starts_counting_at_opening_time() -> None:
    assert business_deadline(LISBON, lisbon(2026, 11, 24, 3, 0), 600) == lisbon(2026, 11, 24, 9, 10)


def test_a_deadline_may_fall_exactly_at_closing_time() -> None:
    assert business_deadline(LISBON, lisbon(2026, 11, 24, 17, 0), 3600) == lisbon(
        2026, 11, 24, 18, 0
    )


def test_holidays_are_skipped() -> None:
    hours = LISBON.model_copy(update={"holidays": [date(2026, 12, 25)]})
    assert business_deadline(hours, lisbon(2026, 12, 24, 17, 30), 3600) == lisbon(
        2026, 12, 28, 9, 30
    )


def test_business_hours_follow_daylight_saving_time() -> None:
    # Lisbon moves from UTC+1 to UTC+0 on 2026-10-25: 09:00 local is 08:00 UTC before, 09:00 after.
    before = business_deadline(LISBON, datetime(2026, 10, 23, 7, tzinfo=UTC), 60)
    after = business_deadline(LISBON, datetime(2026, 10, 26, 7, tzinfo=UTC), 60)
    assert before == datetime(2026, 10, 23, 8, 1, tzinfo=UTC)
    assert after == datetime(2026, 10, 26, 9, 1, tzinfo=UTC)


def test_priorities_counted_round_the_clock_ignore_business_hours() -> None:
    response = ResponseSettings(
        business_hours=[LISBON],
        sla={
            "P1": PrioritySla(respond_within_seconds=900, business_hours=False),
            "P4": PrioritySla(respond_within_seconds=None),
        },
    )
    saturday_night = lisbon(2026, 11, 21, 23, 0)
    assert response_deadline(response, "P1", "care", saturday_night) == saturday_night + timedelta(
        minutes=15
    )
    assert response_deadline(response, "P4", "care", saturday_night) is None
    # P2 keeps its default (an hour of business time) and the team's hours.
    assert response_deadline(response, "P2", "care", saturday_night) == lisbon(2026, 11, 23, 10)
    # A team without business hours is counted round the clock.
    assert response_deadline(response, "P2", "other", saturday_night) == lisbon(2026, 11, 22, 0)


ZONES = ["UTC", "Europe/Lisbon", "America/New_York", "Asia/Kolkata", "Australia/Sydney"]


@st.composite
def business_hours(draw: st.DrawFn) -> BusinessHours:
    start = draw(st.integers(min_value=0, max_value=23 * 4)) * 15
    end = draw(st.integers(min_value=start // 15 + 1, max_value=24 * 4)) * 15
    days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True))
    return BusinessHours(
        team="care",
        timezone=draw(st.sampled_from(ZONES)),
        days=days,
        start=f"{start // 60:02d}:{start % 60:02d}",
        end=f"{end // 60:02d}:{end % 60:02d}",
    )


@settings(max_examples=300, deadline=None)
@given(
    hours=business_hours(),
    now=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
    seconds=st.floats(min_value=1, max_value=14 * 86400),
)
def test_a_deadline_is_later_inside_business_hours_and_after_exactly_the_sla(
    hours: BusinessHours, now: datetime, seconds: float
) -> None:
    weekly = (clock_seconds(hours.end) - clock_seconds(hours.start)) * len(hours.days)
    seconds = min(seconds, weekly * 50)
    deadline = business_deadline(hours, now, seconds)
    assert deadline >= now
    assert is_business_time(hours, deadline)
    local = deadline.astimezone(ZoneInfo(hours.timezone))
    # Seen on the team's wall clock: a business day (or the night a 24:00 close ends).
    opened_on = local if local.time() != datetime.min.time() else local - timedelta(days=1)
    assert WEEKDAYS[opened_on.weekday()] in hours.days
    counted = timedelta()
    for opens, closes in business_intervals(hours, now):
        if opens >= deadline:
            break
        counted += min(closes, deadline) - opens
    assert abs(counted.total_seconds() - seconds) < 1e-3


def test_a_start_time_outside_business_hours_is_not_business_time() -> None:
    assert not is_business_time(LISBON, lisbon(2026, 11, 22, 12, 0))  # a Sunday
    assert is_business_time(LISBON, lisbon(2026, 11, 23, 12, 0))


def test_overnight_hours_must_be_written_as_two_days() -> None:
    with pytest.raises(ValueError, match="start at 22:00 but end at 06:00"):
        BusinessHours(team="night", start="22:00", end="06:00")
