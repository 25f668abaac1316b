from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from config import ConfigError, load_settings, parse_settings
from config.alerting import parse_duration

TESTDATA = Path(__file__).parent / "testdata" / "alerting"

# Each bad config and its exact first issue (file:line: path: message).
EXPECTED = {
    "undefined_team_fallback.yaml": "undefined_team_fallback.yaml:7: teams.0.fallback_receiver: "
    "undefined receiver 'care-pager' used in fallback_receiver",
    "undefined_route_fallback.yaml": "undefined_route_fallback.yaml:6: "
    "route.routes.0.fallback_receiver: undefined receiver 'nobody' used in fallback_receiver",
    "bad_inhibit_matcher.yaml": "bad_inhibit_matcher.yaml:4: inhibit_rules.0.target_matchers: "
    "malformed matcher 'kind\"mention\"'",
    "inhibit_itself.yaml": "inhibit_itself.yaml:3: inhibit_rules.0: inhibit rule has the same "
    "source and target matchers and no equal labels",
    "bad_duration.yaml": "bad_duration.yaml:4: route.group_wait: invalid duration '5 minutes'",
    "group_by_mixed.yaml": "group_by_mixed.yaml:6: route.routes.0.group_by: group_by '...' "
    "cannot be combined with other labels",
    "repeat_beyond_memory.yaml": "repeat_beyond_memory.yaml:8: route.routes.0.repeat_interval: "
    "repeat_interval 172800s is longer than delivery.remember_seconds 86400s",
}


def test_every_bad_alerting_config_has_an_expected_message() -> None:
    assert sorted(p.name for p in TESTDATA.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_alerting_config_names_file_line_and_fix(name: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(TESTDATA / name, environ={})
    rendered = caught.value.issues[0].render()
    assert rendered.split("\n")[0].startswith(f"{TESTDATA}/{EXPECTED[name]}")
    assert "\n    fix: " in rendered


def test_grouping_settings_are_read_with_their_units() -> None:
    settings = parse_settings(
        "route:\n  receiver: console\n  group_by: [conversation]\n  group_wait: 30s\n"
        "  group_interval: 5m\n  repeat_interval: 1h30m\n"
        "  digest: {priorities: [P3, P4], every: daily, max_items: 20}\n"
        "inhibit_rules:\n  - source_matchers: ['kind=\"crisis\"']\n"
        "    target_matchers: ['kind=\"mention\"']\n    equal: [brand, topic]\n"
    )
    route = settings.route
    assert (route.group_wait, route.group_interval, route.repeat_interval) == (30, 300, 5400)
    assert route.digest is not None and route.digest.every == "daily"
    assert settings.inhibit_rules[0].equal == ["brand", "topic"]


@given(
    st.integers(0, 6),
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(0, 59),
)
def test_durations_add_up_their_parts(days: int, hours: int, minutes: int, seconds: int) -> None:
    text = (
        "".join(
            f"{n}{unit}"
            for n, unit in ((days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s"))
            if n
        )
        or "0s"
    )
    assert parse_duration(text) == days * 86400 + hours * 3600 + minutes * 60 + seconds


@pytest.mark.parametrize("bad", ["", "5 minutes", "1w", "-1s", "8d", True, "m5"])
def test_bad_durations_are_refused(bad: object) -> None:
    with pytest.raises(Exception, match="duration"):
        parse_duration(bad)
