import pytest

from config import ConfigError, parse_settings


def test_language_models_are_high_accuracy_by_default() -> None:
    settings = parse_settings("kafka: {bootstrap_servers: '127.0.0.1:9092'}\n", environ={})
    assert settings.scoring.languages.accuracy == "high"


def test_low_accuracy_can_be_chosen() -> None:
    settings = parse_settings("scoring:\n  languages:\n    accuracy: low\n", environ={})
    assert settings.scoring.languages.accuracy == "low"


def test_an_unknown_accuracy_names_its_line_and_the_choices() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_settings("scoring:\n  languages:\n    accuracy: medium\n", "earful.yaml", {})
    message = str(raised.value)
    assert "scoring.languages.accuracy" in message
    assert "earful.yaml:3:" in message
    assert "'high'" in message and "'low'" in message
