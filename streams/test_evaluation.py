from __future__ import annotations

from pathlib import Path

import pytest

from config.schema import Settings
from streams.evaluation import (
    SPEED_REPEATS,
    EvaluationError,
    SpeedCase,
    airline_rows,
    class_scores,
    collection_accounts,
    complaint_rows,
    evaluate_complaints,
    evaluate_sentiment,
    half_of,
    macro_f1,
    rates,
)
from streams.scoring import build_scorer

AIRLINE = """tweet_id,airline_sentiment,airline,text,tweet_created
1,negative,Acme,@acme my flight was cancelled and nobody answers,2015-02-24 11:35:52 -0800
2,positive,Acme,@acme thank you for the great crew!,2015-02-24 11:36:52 -0800
3,neutral,Acme,@acme what time does the Lisbon flight leave,2015-02-24 11:37:52 -0800
4,negative,Acme,@acme still waiting for my bag after 3 hours,2015-02-24 11:38:52 -0800
"""
COMPLAINTS = """tweet_id,text,label,domain
1,@shop my order never arrived and nobody replies,1,retail
2,what a lovely sunny day,0,random_tweet
3,@shop the app keeps crashing when I pay,1,software
4,@friend see you tonight,0,random_reply
"""


def test_scores_on_known_vectors() -> None:
    gold = ["a", "a", "b", "b"]
    predicted = ["a", "b", "b", "b"]
    assert class_scores(gold, predicted, "a").precision == 1
    assert class_scores(gold, predicted, "a").recall == 0.5
    assert class_scores(gold, predicted, "b").f1 == pytest.approx(0.8)
    assert macro_f1(gold, predicted, ["a", "b"]) == pytest.approx((2 / 3 + 0.8) / 2)


def test_halves_are_stable_and_both_used() -> None:
    halves = {half_of(str(i)) for i in range(50)}
    assert halves == {"A", "B"}
    assert half_of("123") == half_of("123")


def test_evaluation_on_a_small_labelled_set(tmp_path: Path) -> None:
    (tmp_path / "airline-tweets.csv").write_text(AIRLINE)
    (tmp_path / "complaints.csv").write_text(COMPLAINTS)
    scorer = build_scorer(Settings())
    sentiment = evaluate_sentiment(airline_rows(tmp_path), scorer)
    assert [s.system for s in sentiment] == ["earful (earful)", "textblob alone", "vader alone"]
    assert sentiment[0].macro_f1 == 1.0
    complaints = evaluate_complaints(complaint_rows(tmp_path), scorer)
    assert complaints[0].precision == complaints[0].recall == 1.0


def test_the_brands_of_the_complaints_set_are_the_accounts_its_brand_posts_address(
    tmp_path: Path,
) -> None:
    (tmp_path / "complaints.csv").write_text(
        COMPLAINTS + "5,hey @Shop_Help and @bob: where is it?,1,retail\n"
    )
    # The first handle of each brand post, lowered; the random reply's friend is no brand.
    assert collection_accounts(complaint_rows(tmp_path)) == ["@shop", "@shop_help"]


def test_a_missing_folder_says_what_to_pass(tmp_path: Path) -> None:
    with pytest.raises(EvaluationError, match="--data"):
        airline_rows(tmp_path / "nowhere")


def test_speed_cases_take_turns_and_each_prepares_before_every_timing() -> None:
    calls: list[str] = []
    cases = {
        "a": SpeedCase(lambda: calls.append("a"), 10, lambda: calls.append("before a")),
        "b": SpeedCase(lambda: calls.append("b"), 20),
    }
    figures = rates(cases)
    assert calls == ["before a", "a", "b"] * SPEED_REPEATS
    assert set(figures) == {"a", "b"}
    assert all(value > 0 for value in figures.values())
