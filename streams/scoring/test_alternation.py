import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.scoring.alternation import FirstMatches, by_leading_letters, grouped


def spans(pattern: str, text: str) -> list[tuple[tuple[int, int], str]]:
    return [(m.span(), m.group(0)) for m in re.finditer(pattern, text)]


def test_alternatives_are_grouped_by_leading_letters_level_by_level() -> None:
    assert by_leading_letters("lost|late|leak\\w*|broken") == "l(?:ost|ate|eak\\w*)|broken"
    assert by_leading_letters("no|not|never") == "n(?:o(?:|t)|ever)"


def test_the_written_order_decides_within_a_letter() -> None:
    # "no" is written before "not": it wins at the same place, grouped or not.
    assert re.search(by_leading_letters("no|not"), "not").group(0) == "no"  # type: ignore[union-attr]
    assert re.search(by_leading_letters("not|no"), "not").group(0) == "not"  # type: ignore[union-attr]


def test_nothing_moves_across_an_alternative_that_may_start_anywhere() -> None:
    assert by_leading_letters("ab|(?:a|x)y|ac") == "ab|(?:a|x)y|ac"
    assert by_leading_letters("ab|ac|\\d+|ad|ae") == "a(?:b|c)|\\d+|a(?:d|e)"


def test_a_letter_with_a_quantifier_is_not_a_leading_letter() -> None:
    assert by_leading_letters("a?b|ab|a*c") == "a?b|ab|a*c"


def test_a_fragment_with_a_capturing_group_is_left_as_written() -> None:
    assert by_leading_letters("(ab)|ac") == "(ab)|ac"


def test_a_fragment_that_refers_to_a_group_outside_it_is_left_as_written() -> None:
    assert grouped("(a)(?:b|\\1c|bd)") == "(a)(?:b|\\1c|bd)"
    assert spans(grouped("(a)(?:b|\\1c|bd)"), "aacabd") == spans("(a)(?:b|\\1c|bd)", "aacabd")


def test_groups_are_regrouped_and_look_arounds_are_not() -> None:
    assert grouped("\\b(?:ab|ac)\\b") == "\\b(?:a(?:b|c))\\b"
    assert grouped("\\b(ab|ac)\\b") == "\\b(a(?:b|c))\\b"
    assert grouped("(?<!ab|ac)x") == "(?<!ab|ac)x"
    assert grouped("[(|]ab|ac") == "[(|]ab|ac"


@pytest.mark.parametrize("broken", ["(ab|ac", "ab)|ac", "[ab|ac"])
def test_an_unbalanced_pattern_is_refused(broken: str) -> None:
    with pytest.raises(ValueError, match="in '"):
        grouped(broken)


LETTERS = "ab'"


@st.composite
def fragments(draw: st.DrawFn, depth: int = 2) -> str:
    """Alternations of letters, quantifiers, classes, boundaries and nested groups."""
    atoms = [
        st.sampled_from(LETTERS),
        st.sampled_from(LETTERS).map(lambda c: c + draw(st.sampled_from("?*+"))),
        st.sampled_from(["\\b", "\\w", "[ab]", "[^a]", "\\s", " "]),
    ]
    if depth:
        atoms.append(fragments(depth - 1).map(lambda f: f"(?:{f})"))
        atoms.append(fragments(depth - 1).map(lambda f: f"(?:{f})?"))
        atoms.append(fragments(depth - 1).map(lambda f: f"({f})"))
        atoms.append(fragments(depth - 1).map(lambda f: f"(?={f})"))
    # Small at each level: sizes multiply with the depth.
    alternative = st.lists(st.one_of(atoms), max_size=3).map("".join)
    return "|".join(draw(st.lists(alternative, min_size=1, max_size=4)))


@settings(max_examples=400, deadline=None)
@given(fragment=fragments(), text=st.text(alphabet="ab' b", max_size=12))
def test_grouping_finds_exactly_what_the_written_pattern_finds(fragment: str, text: str) -> None:
    rewritten = grouped(fragment)
    assert spans(rewritten, text) == spans(fragment, text)
    written, regrouped = re.search(fragment, text), re.search(rewritten, text)
    assert (written and written.groups()) == (regrouped and regrouped.groups())


@settings(max_examples=200, deadline=None)
@given(
    patterns=st.lists(fragments(depth=1), min_size=1, max_size=4),
    text=st.text(alphabet="ab' b", max_size=12),
)
def test_first_matches_are_each_patterns_own_first_match(patterns: list[str], text: str) -> None:
    found = FirstMatches(patterns).first_matches(text)
    for pattern, match in zip(patterns, found, strict=True):
        alone = re.search(pattern, text)
        assert (match and (match.span(), match.group(0))) == (
            alone and (alone.span(), alone.group(0))
        )
