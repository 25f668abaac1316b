from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from streams.scoring.language import LanguageGuesser, _detect

GUESSER = LanguageGuesser(["en", "es", "fr", "de"])


def test_short_english_takes_the_fast_path() -> None:
    assert GUESSER.guess("@brand my bag is lost") == "en"


def test_other_languages_are_detected() -> None:
    assert GUESSER.guess("mi vuelo fue cancelado otra vez y nadie responde") == "es"
    assert GUESSER.guess("Mon vol est annulé, personne ne répond") == "fr"
    assert GUESSER.guess("Wo ist mein Koffer? Niemand antwortet") == "de"


def test_the_sources_own_tag_wins() -> None:
    assert GUESSER.guess("whatever the text", "pt-BR") == "pt"


def test_no_letters_no_language() -> None:
    assert GUESSER.guess("😡😡 https://x.example/1 @brand") is None


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=200))
def test_never_raises(text: str) -> None:
    assert GUESSER.guess(text) in (None, "en", "es", "fr", "de")


def test_one_english_marker_and_no_other_language_word_is_english() -> None:
    assert GUESSER.guess("LAX to EWR, middle seat on a red eye. Such a noob maneuver") == "en"
    # Spanish in plain ASCII with a word English also uses still goes to the model.
    assert GUESSER.guess("mi maleta no llego y nadie me ayuda, es un desastre total") == "es"


def test_english_content_words_settle_a_post_without_function_words() -> None:
    asked = _detect.cache_info().misses
    assert GUESSER.guess("smooth flight, landed early") == "en"
    assert GUESSER.guess("Phone") == "en"
    assert GUESSER.guess("stuck in Denver, seriously") == "en"
    assert _detect.cache_info().misses == asked  # the model was not asked
    # With another language's function word in it, the model decides.
    assert GUESSER.guess("el flight de hoy llego muy tarde otra vez") == "es"
    assert _detect.cache_info().misses == asked + 1


def test_low_accuracy_mode_detects_clear_posts() -> None:
    low = LanguageGuesser(["en", "es", "fr", "de"], accuracy="low")
    assert low.guess("mi vuelo fue cancelado otra vez y nadie responde") == "es"
    assert low.guess("Mon vol est annulé, personne ne répond") == "fr"
    assert low.guess("Wo ist mein Koffer? Niemand antwortet") == "de"
    assert low.guess("@brand my bag is lost") == "en"
