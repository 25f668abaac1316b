from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from config import ConfigError, load_settings, parse_settings
from config.loader import DEFAULT_CONFIG_PATH

TESTDATA = Path(__file__).with_name("testdata")

# Each bad config and the exact first issue it must produce (file:line: path: message).
EXPECTED = {
    "unknown_key.yaml": "unknown_key.yaml:3: kafka.bootstrap_server: unknown key",
    "undefined_receiver.yaml": "undefined_receiver.yaml:9: route.routes.0.receiver: "
    "undefined receiver 'care-slack' used in route",
    "missing_root_receiver.yaml": "missing_root_receiver.yaml:2: route: root route must have a "
    "receiver",
    "bad_matcher.yaml": "bad_matcher.yaml:5: route.routes.0.matchers: malformed matcher "
    "'team==\"care\"'",
    "undefined_brand.yaml": "undefined_brand.yaml:7: teams.0.brands.0: undefined brand 'acme' "
    "in team 'care'",
    "thresholds_out_of_order.yaml": "thresholds_out_of_order.yaml:3: "
    "scoring.priority_thresholds: priority thresholds must fall from P1 to P3",
    "wrong_type.yaml": "wrong_type.yaml:4: kafka.partitions.mentions_raw: Input should be a "
    "valid integer",
    "bad_yaml.yaml": "bad_yaml.yaml:4: YAML syntax error",
    "duplicate_team.yaml": "duplicate_team.yaml:4: teams.1.name: duplicate name 'care' in teams",
}


def test_every_bad_config_in_testdata_has_an_expected_message() -> None:
    assert sorted(p.name for p in TESTDATA.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_config_names_file_line_and_fix(name: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(TESTDATA / name, environ={})
    first = caught.value.issues[0]
    rendered = first.render()
    assert rendered.startswith(str(TESTDATA / EXPECTED[name].split(":")[0]))
    assert EXPECTED[name].split(":", 1)[1] in rendered.split("\n")[0]
    assert first.fix and "fix: " in rendered


def test_bundled_example_config_is_valid() -> None:
    settings = load_settings(DEFAULT_CONFIG_PATH, environ={})
    assert [b.name for b in settings.brands] == ["acmeair", "northwind"]
    assert settings.kafka.bootstrap_servers == "127.0.0.1:9092"


def test_environment_variables_fill_values_and_missing_ones_are_named() -> None:
    text = "kafka:\n  bootstrap_servers: ${BROKERS}\n"
    assert parse_settings(text, "e.yaml", {"BROKERS": "k:9092"}).kafka.bootstrap_servers == (
        "k:9092"
    )
    with pytest.raises(ConfigError, match=r"e.yaml:2: kafka.bootstrap_servers: environment "):
        parse_settings(text, "e.yaml", {})


def test_secrets_never_print() -> None:
    text = (
        "receivers:\n  - name: hook\n    webhook_configs:\n"
        "      - {url: 'http://127.0.0.1/', secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw}\n"
    )
    settings = parse_settings(text, "s.yaml", {})
    assert "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" not in repr(settings)
    assert "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" not in str(settings.redacted())


def test_missing_file_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope.yaml: file not found\n    fix: "):
        load_settings(tmp_path / "nope.yaml")


def test_huge_config_is_refused_without_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("brands:\n" + "  - {name: b, keywords: [x]}\n" * 60_000)
    with pytest.raises(ConfigError, match="over the limit"):
        load_settings(path)


@given(st.text(max_size=300))
def test_any_text_either_loads_or_raises_config_error(text: str) -> None:
    try:
        parse_settings(text, "fuzz.yaml", {})
    except ConfigError as error:
        assert error.issues
        assert all(issue.file == "fuzz.yaml" for issue in error.issues)
