from datetime import UTC, datetime

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from config.loader import DEFAULT_CONFIG_PATH, load_settings
from streams.pipeline import Scored, alert_for, process
from streams.scoring import build_scorer
from streams.validation import Rejection

SCORER = build_scorer(load_settings(DEFAULT_CONFIG_PATH, environ={}))
NOW = datetime(2026, 11, 22, tzinfo=UTC)


def mention(text: str, **extra: object) -> bytes:
    return orjson.dumps(
        {
            "schema_version": 1,
            "id": "test:1",
            "source": "test",
            "text": text,
            "created_at": "2026-11-22T10:00:00Z",
            "author": {"id": "a", "handle": "h"},
            **extra,
        }
    )


def scored(text: str, **extra: object) -> Scored:
    outcome = process(mention(text, **extra), SCORER, NOW)
    assert isinstance(outcome, Scored)
    return outcome


def test_complaint_to_brand_becomes_an_alert_for_its_team_with_reasons() -> None:
    outcome = scored("@acmeair you lost my bag and nobody answers. Terrible service.")
    assert outcome.scored.brand == "acmeair"
    assert outcome.scored.team == "air-care"
    assert outcome.scored.needs_response
    assert outcome.alert is not None
    assert outcome.alert.alert_id == "mention:test:1"
    assert outcome.alert.labels["team"] == "air-care"
    assert outcome.alert.labels["priority"] == outcome.scored.priority
    assert any("needs response" in r for r in outcome.scored.reasons)


def test_praise_needs_no_response_and_raises_no_alert() -> None:
    outcome = scored("Loved my @acmeair flight today, wonderful crew!")
    assert outcome.scored.sentiment.label == "positive"
    assert not outcome.scored.needs_response
    assert outcome.alert is None
    assert alert_for(outcome.scored) is None


def test_team_follows_the_brand() -> None:
    assert scored("@northwind my card was declined, awful").scored.team == "bank-care"


def test_declared_brand_wins_over_text() -> None:
    assert scored("no brand named here", brand="northwind").scored.brand == "northwind"


def test_invalid_message_is_a_rejection() -> None:
    assert isinstance(process(b"{}", SCORER), Rejection)


@settings(max_examples=200)
@given(st.text(max_size=400))
def test_scores_stay_in_bounds_and_are_deterministic_for_any_text(text: str) -> None:
    first = scored(text)
    second = scored(text)
    assert first == second
    s = first.scored
    assert -1 <= s.sentiment.polarity <= 1
    assert 0 <= s.urgency.score <= 1
    assert s.priority in ("P1", "P2", "P3", "P4")
    assert s.reasons
