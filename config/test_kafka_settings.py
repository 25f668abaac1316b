"""Kafka client settings: the consumer groups' session timeout and the heartbeat it sets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from config import ConfigError, parse_settings


def test_a_session_timeout_below_what_brokers_accept_names_the_key_and_line() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings("version: 1\nkafka:\n  session_timeout_seconds: 3\n", "e.yaml", {})
    rendered = caught.value.issues[0].render()
    assert rendered.startswith("e.yaml:3: kafka.session_timeout_seconds:")
    assert "greater than or equal to 6" in rendered


def test_the_default_lets_a_crashed_worker_go_after_ten_seconds() -> None:
    kafka = parse_settings("version: 1\n", "e.yaml", {}).kafka
    assert (kafka.session_timeout_seconds, kafka.heartbeat_seconds) == (10.0, 3.0)


@given(st.floats(min_value=6, max_value=1800))
def test_a_member_misses_three_heartbeats_before_its_session_ends(session: float) -> None:
    kafka = parse_settings(
        f"version: 1\nkafka:\n  session_timeout_seconds: {session!r}\n", "e.yaml", {}
    ).kafka
    assert 0 < kafka.heartbeat_seconds <= 3.0
    assert kafka.heartbeat_seconds * 3 <= kafka.session_timeout_seconds + 1e-9
