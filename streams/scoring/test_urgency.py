from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.scoring import UrgencySettings, UrgencyWeights
from streams.records import Author, Mention
from streams.scoring.urgency import urgency_score, urgency_signals


def mention(
    text: str, followers: int = 0, verified: bool = False, handle: str = "someone"
) -> Mention:
    return Mention(
        schema_version=1,
        id="test:1",
        source="test",
        text=text,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        author=Author(id="u1", handle=handle, followers=followers, verified=verified),
    )


def test_each_fired_signal_is_named_with_its_contribution() -> None:
    signals = urgency_signals(
        mention("there is smoke in the cabin, second time this week", followers=50_000),
        -0.8,
        True,
        UrgencySettings(),
    )
    names = {s.name: s.contribution for s in signals}
    assert names["safety_or_legal"] == 0.45
    assert names["negative_sentiment"] == pytest.approx(0.3 * 0.8)
    assert names["repeated_contact"] == 0.15
    assert names["addressed_to_brand"] == 0.1
    assert 0.2 / 3 < names["author_reach"] < 0.2
    assert all(s.reason().startswith(f"{s.name} +") for s in signals)


def test_weights_come_from_config() -> None:
    custom = UrgencySettings(weights=UrgencyWeights(churn_threat=0.9), vip_handles=["@boss"])
    signals = urgency_signals(
        mention("I am switching to another airline", handle="boss"), None, False, custom
    )
    assert {s.name: s.contribution for s in signals} == {"churn_threat": 0.9, "vip_author": 0.3}


def test_a_zero_weight_signal_does_not_fire() -> None:
    off = UrgencySettings(weights=UrgencyWeights(addressed_to_brand=0))
    assert urgency_signals(mention("hello"), None, True, off) == []


def test_not_assessed_sentiment_adds_nothing() -> None:
    assert urgency_signals(mention("hola"), None, False, UrgencySettings()) == []


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(max_size=300),
    polarity=st.one_of(st.none(), st.floats(-1, 1)),
    followers=st.integers(0, 10**9),
    verified=st.booleans(),
    addressed=st.booleans(),
)
def test_score_is_in_unit_interval(
    text: str, polarity: float | None, followers: int, verified: bool, addressed: bool
) -> None:
    signals = urgency_signals(
        mention(text, followers, verified), polarity, addressed, UrgencySettings()
    )
    assert 0 <= urgency_score(signals) <= 1
    assert all(s.contribution > 0 for s in signals)
