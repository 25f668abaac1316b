from __future__ import annotations

import pytest

from alerts.failpoint import ENV, Failpoint, FailpointError


def counting(spec: str) -> tuple[Failpoint, list[int]]:
    kills: list[int] = []
    point = Failpoint.from_env({ENV: spec})
    point.kill = lambda: kills.append(point.reached)
    return point, kills


def test_unset_never_kills() -> None:
    point = Failpoint.from_env({})
    point.kill = lambda: pytest.fail("killed with no failpoint set")
    for _ in range(3):
        point.reach("after_consume")
        point.reach("after_channel_answer")
        point.reach("after_record")
    assert point.point is None and point.reached == 0


def test_kills_on_the_nth_time_its_own_point_is_reached() -> None:
    point, kills = counting("after_channel_answer:3")
    for _ in range(5):
        point.reach("after_consume")
        point.reach("after_record")
        point.reach("after_channel_answer")
    assert kills == [3]


def test_without_a_count_kills_the_first_time() -> None:
    point, kills = counting("after_record")
    point.reach("after_consume")
    point.reach("after_record")
    assert kills == [1]


@pytest.mark.parametrize("spec", ["after_lunch", "after_record:0", "after_record:x", ":3"])
def test_a_spec_naming_no_point_is_refused_with_the_choices(spec: str) -> None:
    with pytest.raises(FailpointError, match="after_consume, after_channel_answer, after_record"):
        Failpoint.from_env({ENV: spec})
