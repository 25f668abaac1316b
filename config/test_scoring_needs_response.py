import pytest

from config import ConfigError, parse_settings


def test_questions_and_requests_need_a_response_by_default() -> None:
    settings = parse_settings("kafka: {bootstrap_servers: '127.0.0.1:9092'}\n", environ={})
    assert settings.scoring.needs_response.questions
    assert settings.scoring.needs_response.requests


def test_questions_can_be_switched_off() -> None:
    settings = parse_settings("scoring:\n  needs_response:\n    questions: false\n", environ={})
    assert not settings.scoring.needs_response.questions
    assert settings.scoring.needs_response.requests


def test_an_unknown_needs_response_key_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="needs_response"):
        parse_settings("scoring:\n  needs_response:\n    question: false\n", environ={})
