from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.scoring.needs_response import needs_response
from streams.scoring.sentiment import SentimentScorer

SCORER = SentimentScorer("earful", -0.1, 0.5)


def decide(text: str, addressed: bool = True) -> tuple[bool, str]:
    decision = needs_response(text, SCORER.read(text), addressed)
    return decision.needs_response, decision.kind


@pytest.mark.parametrize(
    "text",
    [
        "Hi @brand, my order never arrived, could you check please? Thank you!",
        "@brand I was charged twice for the same ticket",
        "@brand the app keeps crashing when I pay",
    ],
)
def test_complaints_need_a_response_even_when_polite(text: str) -> None:
    assert decide(text) == (True, "complaint")


def test_a_direct_question_needs_a_response() -> None:
    assert decide("@brand do you fly to Lisbon in winter?") == (True, "question")


def test_a_request_for_help_needs_a_response() -> None:
    assert decide("@brand please DM me about my booking") == (True, "request")


def test_a_negative_joke_needs_no_response() -> None:
    assert decide("my cat broke my keyboard again lol") == (False, "joke")
    assert decide("@brand worst pun ever haha") == (False, "joke")


def test_a_repost_needs_no_response() -> None:
    assert decide("RT @someone: @brand lost my bag") == (False, "repost")


def test_a_question_not_addressed_to_the_brand_needs_none() -> None:
    assert decide("does anyone know a good pizza place?", addressed=False) == (False, "none")


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300), addressed=st.booleans())
def test_never_raises_and_is_deterministic(text: str, addressed: bool) -> None:
    reading = SCORER.read(text)
    first = needs_response(text, reading, addressed)
    assert first == needs_response(text, reading, addressed)
    assert first.reason.startswith("needs response" if first.needs_response else "no response")
