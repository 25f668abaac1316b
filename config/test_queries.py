from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config import ConfigError, load_settings
from config.queries import All, Any, Not, Query, QuerySyntaxError, Term, parse_query

TESTDATA = Path(__file__).with_name("testdata") / "scoring"


def test_operators_precedence_and_implicit_and() -> None:
    query = parse_query('lost "my bag" OR luggage AND NOT chips')
    assert query == Any(
        (
            All((Term("lost"), Term("my bag", phrase=True))),
            All((Term("luggage"), Not(Term("chips")))),
        )
    )


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("bag*", "they lost my BAGGAGE", True),
        ("bag*", "a handbag", False),
        ("*bag", "a handbag", True),
        ('"lost my bag"', "you lost   my bag!", True),
        ('"lost my bag"', "lost the bag", False),
        ("@acmeair", "hi @AcmeAir", True),
        ("@acmeair", "hi acmeair", False),
        ("(outage OR down) AND NOT (weather OR storm)", "site is down", True),
        ("(outage OR down) AND NOT (weather OR storm)", "down due to storm", False),
        ("#fail", "that was a #FAIL", True),
    ],
)
def test_matching(query: str, text: str, expected: bool) -> None:
    assert parse_query(query).matches(text) is expected


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("", "empty query"),
        ("a OR", "ends where a term is expected"),
        ("(a OR b", "unbalanced parentheses"),
        ("a)", "unexpected '\\)'"),
        ('"lost bag', "unclosed quote"),
        ('""', "empty phrase"),
        ("a AND OR b", "where a term is expected"),
        ("a{b}", "characters a query cannot match"),
    ],
)
def test_malformed_queries_say_what_and_how_to_fix(query: str, problem: str) -> None:
    with pytest.raises(QuerySyntaxError, match=problem):
        parse_query(query)


WORDS = st.from_regex(r"[a-z][a-z0-9]{0,6}\*?", fullmatch=True).filter(
    lambda w: w.upper() not in ("AND", "OR", "NOT")
)
TERMS = st.one_of(
    WORDS.map(Term),
    st.lists(WORDS, min_size=1, max_size=3).map(lambda ws: Term(" ".join(ws), phrase=True)),
)


def _queries() -> st.SearchStrategy[Query]:
    return st.recursive(
        TERMS,
        lambda inner: st.one_of(
            inner.map(Not),
            st.lists(inner, min_size=2, max_size=3).map(lambda qs: All(tuple(qs))),
            st.lists(inner, min_size=2, max_size=3).map(lambda qs: Any(tuple(qs))),
        ),
        max_leaves=8,
    )


def _flatten(query: Query) -> Query:
    """Nested AND in AND (or OR in OR) prints the same as the flat form."""
    if isinstance(query, Not):
        return Not(_flatten(query.operand))
    if isinstance(query, All | Any):
        kind = type(query)
        flat: list[Query] = []
        for operand in map(_flatten, query.operands):
            flat.extend(operand.operands if isinstance(operand, kind) else (operand,))
        return kind(tuple(flat))
    return query


@settings(max_examples=200, deadline=None)
@given(query=_queries())
def test_printed_queries_parse_back_to_the_same_query(query: Query) -> None:
    assert _flatten(parse_query(str(query))) == _flatten(query)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=80))
def test_any_string_parses_or_raises_a_syntax_error(text: str) -> None:
    try:
        query = parse_query(text)
    except QuerySyntaxError as error:
        assert "query" in str(error)
    else:
        assert query.matches(text) in (True, False)


@pytest.mark.parametrize(
    ("name", "line", "message"),
    [
        ("bad_topic_query.yaml", 5, "unbalanced parentheses"),
        ("bad_brand_query.yaml", 4, "ends where a term is expected"),
        ("undefined_topic.yaml", 8, "undefined topic 'outage' in team 'care'"),
    ],
)
def test_bad_queries_in_config_name_file_line_and_fix(name: str, line: int, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(TESTDATA / name, environ={})
    rendered = caught.value.issues[0].render()
    assert rendered.startswith(f"{TESTDATA / name}:{line}:")
    assert message in rendered
    assert "fix: " in rendered
