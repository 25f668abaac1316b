from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from streams.scoring.breach import NO_PROBLEM, blank_no_problem


def test_problems_said_to_be_none_are_blanked_in_place() -> None:
    text = "no problem at all, couldnt be happier. the app crashed twice though"
    blanked = blank_no_problem(text)
    assert len(blanked) == len(text)
    assert "problem" not in blanked and "happier" not in blanked
    assert blanked.endswith("the app crashed twice though")


@given(st.text(alphabet="noproblemissuewrithatbcdfvy' ", max_size=80))
def test_the_prefilter_skips_only_texts_the_pattern_leaves_alone(text: str) -> None:
    assert blank_no_problem(text) == NO_PROBLEM.sub(lambda m: " " * len(m.group(0)), text)
