from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from config.schema import Brand
from streams.scoring.brands import BrandMatcher, _Names

BRANDS = [
    Brand(name="acmeair", keywords=["acme air", "acmeair"], handles=["@acmeair"]),
    Brand(name="northwind", keywords=["northwind"], handles=["northwind_help"]),
    Brand(name="skal", keywords=["skål"]),
    Brand(name="skyways", keywords=["skyways"]),
]
MATCHER = BrandMatcher.from_config(BRANDS)


def test_a_keyword_or_handle_names_the_brand_in_any_case() -> None:
    assert MATCHER.brand_and_addressed("Flying ACME AIR tomorrow", None) == ("acmeair", True)
    assert MATCHER.brand_and_addressed("hey @Northwind_Help my card", None) == ("northwind", True)
    assert MATCHER.brand_and_addressed("a toast: Skål!", None) == ("skal", True)


def test_a_keyword_inside_a_word_or_another_handle_does_not() -> None:
    assert MATCHER.brand_of("northwindy weather") is None
    assert MATCHER.brand_of("@northwindfan says hi") is None
    assert MATCHER.brand_of("#acmeairlines") is None
    assert MATCHER.brand_of("#acmeair") == "acmeair"  # a hashtag of the name names it


def test_a_declared_brand_wins_and_is_addressed_only_when_named() -> None:
    assert MATCHER.brand_and_addressed("my card was declined", "northwind") == ("northwind", False)
    assert MATCHER.brand_and_addressed("northwind declined my card", "northwind") == (
        "northwind",
        True,
    )


NAMES = [n for n in (_Names.of(b) for b in BRANDS) if n is not None]
# Kelvin sign, long s and dotted capital I match ASCII letters in any case.
PIECES = ["acme air", "ACMEAIR", "acmeair", "@acmeair", "northwind", "NorthWind_help", "skål",
          "SKÅL", "\u212a", "\u017f", "\u0130", "x", " ", "@", "#", "_", "é", ".", "sky", "ways",
          "\u017fkyways", "acmea", "\u0130r", "nort", "hwind"]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=2), max_size=12))
def test_the_substring_test_never_hides_a_match(pieces: list[str]) -> None:
    text = "".join(pieces)
    for names in NAMES:
        assert names.found_in(text) == (names.pattern.search(text) is not None)
