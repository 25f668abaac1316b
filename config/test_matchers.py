import pytest
from hypothesis import given
from hypothesis import strategies as st

from config.matchers import MatcherSyntaxError, parse_matcher

label_values = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)


@pytest.mark.parametrize(
    ("text", "labels", "expected"),
    [
        ('team="care"', {"team": "care"}, True),
        ('team="care"', {"team": "ops"}, False),
        ('team!="care"', {"team": "ops"}, True),
        ('priority=~"P1|P2"', {"priority": "P2"}, True),
        ('priority=~"P1|P2"', {"priority": "P12"}, False),
        ('priority!~"P1|P2"', {"priority": "P3"}, True),
        ("brand=acme", {"brand": "acme"}, True),
        ('topic=""', {}, True),
    ],
)
def test_matcher_semantics(text: str, labels: dict[str, str], expected: bool) -> None:
    assert parse_matcher(text).matches(labels) is expected


@pytest.mark.parametrize("text", ["team", "=care", 'team=="care"', 'team=~"("', "9team=x"])
def test_malformed_matchers_are_rejected_with_an_example(text: str) -> None:
    with pytest.raises(MatcherSyntaxError, match=r"matcher"):
        parse_matcher(text)


@given(value=label_values)
def test_rendered_matcher_parses_back_to_itself(value: str) -> None:
    matcher = parse_matcher(
        f'team="{value.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
    )
    assert matcher.value == value
    assert parse_matcher(str(matcher)) == matcher
    assert matcher.matches({"team": value})
