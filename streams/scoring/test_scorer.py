"""The scorer builds its records without validating them twice; they must still be the
records validation and ``model_construct`` would give."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.loader import DEFAULT_CONFIG_PATH, load_settings
from streams.records import Mention, ScoredMention, Sentiment, Urgency
from streams.scoring import build_scorer
from streams.scoring.scorer import trusted

SCORER = build_scorer(load_settings(DEFAULT_CONFIG_PATH, environ={}))
NOW = datetime(2026, 11, 22, tzinfo=UTC)


def mention(text: str) -> Mention:
    return Mention.model_validate(
        {
            "schema_version": 1,
            "id": "test:1",
            "source": "test",
            "text": text,
            "created_at": NOW,
            "author": {"id": "a", "handle": "h", "followers": 5000},
            "in_reply_to": "test:0",
        }
    )


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_trusted_record_equals_constructed_and_validated_one(text: str) -> None:
    scored = SCORER.score(mention(text), NOW)
    values = dict(scored.__dict__)
    constructed = ScoredMention.model_construct(**values)
    rebuilt = trusted(ScoredMention, values)
    assert rebuilt == constructed == scored
    assert rebuilt.model_fields_set == constructed.model_fields_set
    assert rebuilt.model_dump_json() == constructed.model_dump_json()
    validated = ScoredMention.model_validate_json(scored.model_dump_json())
    assert validated == scored


def test_trusted_record_keeps_field_order() -> None:
    scored = SCORER.score(mention("@acmeair my bag is lost, still waiting"), NOW)
    assert list(scored.__dict__) == list(ScoredMention.model_fields)
    assert scored.sentiment == Sentiment.model_validate(scored.sentiment.model_dump())
    assert scored.urgency == Urgency.model_validate(scored.urgency.model_dump())
    assert scored.needs_response


@pytest.mark.parametrize(
    ("file", "native"),
    [("sentiment.py", False), ("sentiment.cpython-311-x86_64-linux-gnu.so", True)],
)
def test_compiled_tells_the_plain_modules_from_the_native_build(
    monkeypatch: pytest.MonkeyPatch, file: str, native: bool
) -> None:
    from streams.scoring import compiled, sentiment

    monkeypatch.setattr(sentiment, "__file__", f"/site-packages/streams/scoring/{file}")
    assert compiled() is native


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("@acmeair my bag never arrived", True),
        ("@sam @acmeair_help my bag never arrived", True),
        ("@sam acme air lost my bag, still waiting", True),
        # A reply between people that names no brand asks the brand for nothing.
        ("@sam my bag never arrived", False),
        ("@sam can you send me the photos?", False),
    ],
)
def test_only_posts_that_name_the_brand_need_its_response(text: str, answer: bool) -> None:
    assert SCORER.score(mention(text), NOW).needs_response is answer
