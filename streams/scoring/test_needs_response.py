from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.scoring.needs_response import needs_response
from streams.scoring.sentiment import SentimentScorer

SCORER = SentimentScorer("earful", -0.1, 0.5)


def decide(text: str, addressed: bool = True, **switches: bool) -> tuple[bool, str]:
    decision = needs_response(text, SCORER.read(text), addressed, **switches)
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
    assert decide("@brand my cat broke my keyboard again lol") == (False, "joke")
    assert decide("@brand worst pun ever haha") == (False, "joke")


def test_a_repost_needs_no_response() -> None:
    assert decide("RT @someone: @brand lost my bag") == (False, "repost")


def test_a_question_not_addressed_to_the_brand_needs_none() -> None:
    assert decide("does anyone know a good pizza place?", addressed=False) == (False, "none")


@pytest.mark.parametrize(
    "text",
    [
        "@brand thanks for ignoring all my tweets",
        "@brand thanks for ruining my morning",
        "@brand my account is down and all my websites are down",
        "@brand the printer stopped working after the update",
        "@brand I have already contacted this number several times",
        "@brand the item should have been dispatched on Monday",
        "@brand nobody got in touch with me about my previous concern",
        "@brand is this normal? the screen has a line through it",
        "@brand the dress arrived ripped and stained",
        "@brand unable to check in online, unable to reach an agent",
        "@brand there is smoke in the cabin and the crew ignores us",
    ],
)
def test_breaches_of_expectation_are_complaints(text: str) -> None:
    assert decide(text) == (True, "complaint")


@pytest.mark.parametrize(
    "text",
    [
        "@brand any update on my refund?",
        "@brand could you please reply to my DM",
        "@brand emailed you on Tuesday, when can I expect a response?",
        "@brand still awaiting your reply about the broken seat",
        "@brand the app was working yesterday, now the login page is blank",
        "@brand I just want my money back",
    ],
)
def test_chasing_an_answer_that_has_not_come_is_a_complaint(text: str) -> None:
    assert decide(text, questions=False, requests=False) == (True, "complaint")


def test_asking_for_news_is_not_chasing() -> None:
    question = "@brand any updates on the new summer routes?"
    assert decide(question, questions=False, requests=False) == (False, "none")


@pytest.mark.parametrize(
    "text",
    [
        "@someone no problem, happy to help",
        "@brand it works now. If I have any more problems I will message you",
        "@brand the agent could not have been more helpful",
    ],
)
def test_saying_there_is_no_problem_is_not_a_complaint(text: str) -> None:
    assert decide(text)[1] != "complaint"


def test_a_breach_told_to_nobody_is_venting_not_a_complaint() -> None:
    assert decide("this would be a terrible idea, it never works", addressed=False) == (
        False,
        "none",
    )


def test_negative_banter_to_an_account_is_not_a_complaint() -> None:
    # Negative, addressed, but about nothing anyone bought or was served.
    assert decide("@friend this looks like it belongs on a serial killer's wall")[1] != (
        "complaint"
    )
    assert decide("@brand awful, the food at your restaurant was cold") == (True, "complaint")


def test_questions_and_requests_can_be_switched_off() -> None:
    question = "@brand do you fly to Lisbon in winter?"
    request = "@brand please DM me about my booking"
    assert decide(question, questions=False) == (False, "none")
    assert decide(request, requests=False) == (False, "none")
    assert decide(request, questions=False) == (True, "request")
    complaint = "@brand my order never arrived, where is it?"
    assert decide(complaint, questions=False, requests=False) == (True, "complaint")


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300), addressed=st.booleans())
def test_never_raises_and_is_deterministic(text: str, addressed: bool) -> None:
    reading = SCORER.read(text)
    first = needs_response(text, reading, addressed)
    assert first == needs_response(text, reading, addressed)
    assert first.reason.startswith("needs response" if first.needs_response else "no response")
