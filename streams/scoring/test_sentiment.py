from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.schema import Brand
from streams.scoring.brands import BrandNames
from streams.scoring.lexicon import PHRASES
from streams.scoring.sentiment import (
    PHRASE_INDEX,
    SentimentScorer,
    _first_words,
    earful_polarity,
    find_phrases,
    textblob_polarity,
)

EARFUL = SentimentScorer("earful", -0.1, 0.5)


def polarity(text: str) -> float:
    return earful_polarity(text)[0]


@pytest.mark.parametrize(
    "text",
    [
        "@brand still waiting for my refund",
        "on hold for 2 hours, nobody answers",
        "you lost my bag again",
        "my flight was cancelled and no one answers the phone",
        "the app is not working since this morning",
        "Thanks for losing my luggage, great job",
    ],
)
def test_service_failure_language_is_negative(text: str) -> None:
    assert EARFUL.read(text).label == "negative"


@pytest.mark.parametrize(
    "text",
    [
        "thank you @brand, the crew was amazing",
        "Great service today, made my day 😍",
        "love flying with you :)",
    ],
)
def test_praise_is_positive(text: str) -> None:
    assert EARFUL.read(text).label == "positive"


@pytest.mark.parametrize(
    "text",
    [
        "@brand after this I am taking my business elsewhere",
        "that is the last time I fly with them",
        "you just lost a loyal customer",
        "@brand I'm done with you",
        "after today you can call me a former customer",
    ],
)
def test_a_customer_leaving_is_negative(text: str) -> None:
    assert EARFUL.read(text).label == "negative"


def test_a_spaced_or_long_dash_ends_the_reach_of_a_negation() -> None:
    # "isn't" must not flip the word after the dash into praise.
    assert polarity("No it isn't - sheer incompetence all day") < 0
    assert polarity("No it isn't \u2014 sheer incompetence all day") < 0
    # A hyphen inside a word is no clause mark: the negation still reaches "good".
    assert polarity("the check-in was not good") < 0


@pytest.mark.parametrize(
    ("text", "negative"),
    [
        ("@brand four hours at the gate #horriblecustomerservice", True),
        ("@brand #travelnightmare", True),
        ("@brand the crew tonight #amazing", False),
    ],
)
def test_feelings_inside_compound_hashtags_count(text: str, negative: bool) -> None:
    assert (polarity(text) < 0) is negative
    assert polarity(text) != 0


def test_a_booster_strengthens_the_next_word_and_is_no_feeling_itself() -> None:
    assert EARFUL.read("super bummed about the gate change").label == "negative"
    assert EARFUL.read("the flight was kind of late").label != "positive"
    assert EARFUL.read("the crew was super").label == "positive"  # last word: a feeling


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("@brand you need to do better than that", "negative"),
        ("@brand an agent took care of it", "neutral"),
        ("@brand my loyalty number and rewards card are on file", "neutral"),
        ("@brand I am positive my bag was on that flight", "neutral"),
        ("@brand hoping the bag makes it tonight", "neutral"),
        ("@brand hats off to the crew in Denver", "positive"),
        ("@brand top-notch service on the way home", "positive"),
        ("@brand A+ work by the gate agent", "positive"),
    ],
)
def test_service_idioms(text: str, label: str) -> None:
    assert EARFUL.read(text).label == label


def test_the_brands_own_name_is_not_a_feeling() -> None:
    names = BrandNames.from_config([Brand(name="bestbuy", keywords=["best buy"])])
    with_brand = SentimentScorer("earful", -0.1, 0.5, names)
    text = "picked up the tv at best buy this morning"
    assert EARFUL.read(text).label == "positive"  # "best", read as praise
    assert with_brand.read(text).label == "neutral"
    # The word itself still counts where it is not the brand's name.
    assert with_brand.read("best crew I have flown with").label == "positive"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("@brand is flight 1202 delayed?", "neutral"),
        ("@brand will my flight to Dallas be cancelled tonight?", "neutral"),
        ("@brand why is my flight delayed again?", "negative"),
        ("@brand my flight is delayed. Can you rebook me?", "negative"),
    ],
)
def test_asking_whether_a_disruption_happened_is_not_reporting_one(text: str, label: str) -> None:
    assert EARFUL.read(text).label == label


def test_questions_without_feeling_are_neutral() -> None:
    assert EARFUL.read("@brand what time does the Lisbon flight leave?").label == "neutral"


def test_negation_flips_and_dampens() -> None:
    assert polarity("the crew was good") > 0
    assert polarity("the crew was not good") < 0


def test_intensifiers_caps_elongation_and_exclamations_strengthen() -> None:
    base = polarity("this is bad")
    assert polarity("this is very bad") < base
    assert polarity("this is BAD") < base
    assert polarity("this is baaaad") == pytest.approx(base)
    assert polarity("this is bad!!!") < base


def test_emoji_and_emoticons_count() -> None:
    assert polarity("flight landed 😡") < 0
    assert polarity("flight landed 😊") > 0
    assert polarity("flight landed :(") < 0


def test_hashtags_are_split_into_sentiment_parts() -> None:
    assert polarity("flight 12 today #brandfail") < 0
    assert polarity("flight 12 today #lovethiscrew") > 0


def test_handles_and_urls_carry_no_sentiment() -> None:
    assert polarity("@happybrand https://example.com/great-deal") == 0


def test_contrast_weighs_the_clause_after_but() -> None:
    assert polarity("the seats were nice but the delay was awful") < 0


def test_praise_next_to_a_failure_reads_as_sarcasm() -> None:
    assert polarity("thanks a lot for cancelling my flight, still waiting") < 0


def test_cues_explain_the_score() -> None:
    reading = EARFUL.read("on hold for an hour")
    assert reading.cues
    assert "hold" in reading.cues[0]


def test_every_phrase_is_indexed_by_its_first_words() -> None:
    for pattern in PHRASES:
        assert _first_words(pattern), pattern
    assert "still" in PHRASE_INDEX
    assert find_phrases("i am still waiting") == [(5, 18, PHRASES[next(iter(PHRASES))])]


def test_textblob_polarity_is_textblobs_own() -> None:
    from textblob import TextBlob

    text = "What a great flight, but the food was terrible."
    assert textblob_polarity(text) == pytest.approx(TextBlob(text).sentiment.polarity)


@pytest.mark.parametrize("backend", ["earful", "vader", "textblob"])
@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=300))
def test_every_backend_is_bounded_deterministic_and_never_raises(backend: str, text: str) -> None:
    scorer = SentimentScorer(backend, -0.05, 0.5)  # type: ignore[arg-type]
    first = scorer.read(text)
    assert -1 <= first.polarity <= 1
    assert -1 <= first.textblob_polarity <= 1
    assert first.label in ("negative", "neutral", "positive")
    assert scorer.read(text) == first


@settings(max_examples=100, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(
            ["still", "waiting", "on", "hold", "for", "hours", "not", "good", "thank", "you", "!"]
        ),
        max_size=20,
    )
)
def test_phrases_found_never_overlap(words: list[str]) -> None:
    found = find_phrases(" ".join(words))
    ends = [end for _, end, _ in found]
    starts = [start for start, _, _ in found]
    assert all(s >= e for s, e in zip(starts[1:], ends, strict=False))


def phrases_word_by_word(lowered: str) -> list[tuple[int, int, float]]:
    """The rule ``find_phrases`` implements, read plainly: at each whole word (not right
    after an apostrophe) past the last phrase, the first phrase indexed by it that matches."""
    found: list[tuple[int, int, float]] = []
    resume = 0
    for word in re.finditer(r"[a-z0-9][a-z0-9']*", lowered):
        start = word.start()
        if start < resume or (start and lowered[start - 1] == "'"):
            continue
        key = "<number>" if word.group(0)[0].isdigit() else word.group(0)
        for pattern, valence in PHRASE_INDEX.get(key, ()):
            if match := pattern.match(lowered, start):
                found.append((start, match.end(), valence))
                resume = match.end()
                break
    return found


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(
        st.sampled_from(
            [
                "still",
                "waiting",
                "on",
                "hold",
                "for",
                "2",
                "hours",
                "not",
                "good",
                "great",
                "customer",
                "service",
                "never",
                "again",
                "'",
                "n't",
                "can't",
                "x",
                " ",
                " ",
                ".",
                "lost",
                "my",
                "bag",
                "3rd",
                "time",
                "this",
                "'til",
            ]
        ),
        max_size=25,
    )
)
def test_phrases_are_found_as_a_word_by_word_reading_finds_them(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert find_phrases(text) == phrases_word_by_word(text)


def test_negation_stops_at_the_end_of_a_clause() -> None:
    # "no" belongs to the first sentence: "unprofessional" stays negative.
    assert polarity("no gate agent, no announcements. So unprofessional") < -0.1
    assert polarity("not good") < 0


def test_a_negated_phrase_turns() -> None:
    assert polarity("not a great experience") < polarity("a great experience")
    assert polarity("not a great experience") < 0.3


def test_a_contrast_ends_the_reach_of_a_negation() -> None:
    # "nothing but" is no negation, and "not" before "but" does not reach past it.
    assert EARFUL.read("nothing but complete frustration with this airline").label == "negative"
    assert polarity("not much, but great crew") > polarity("not great crew")
    # A curly apostrophe negates as a straight one does.
    assert polarity("I don\u2019t enjoy it") == polarity("I don't enjoy it") < 0


@pytest.mark.parametrize(
    "text",
    [
        "are you kidding me? two hours",
        "you have got to be kidding",
        "I have had it with this app",
        "fed up with the delays",
        "what's the point of a tracking number if it never updates",
        "the system hangs up on me every time",
        "a comedy of errors from check-in to landing",
    ],
)
def test_exasperation_is_negative(text: str) -> None:
    assert EARFUL.read(text).label == "negative"


def test_never_more_intensifies_instead_of_negating() -> None:
    assert polarity("I have never been more frustrated") < -0.1


def test_a_reported_breach_is_negative_without_a_negative_word() -> None:
    assert polarity("your agent did not call back") < -0.1
    # Counted once: a negative word that is also a breach is not counted twice.
    once = earful_polarity("the screen is broken")
    assert sum("broken" in cue for cue in once[1]) == 1
