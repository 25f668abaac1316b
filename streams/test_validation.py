import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from streams.records import MAX_MESSAGE_BYTES, DeadLetterReason, Mention
from streams.validation import Rejection, parse_mention

VALID = {
    "schema_version": 1,
    "id": "mastodon:109",
    "source": "mastodon",
    "text": "hello @acmeair",
    "created_at": "2026-11-20T09:00:00+01:00",
    "author": {"id": "1", "handle": "mira", "followers": 10, "verified": False},
}


def test_valid_mention_parses_and_keeps_its_fields() -> None:
    parsed = parse_mention(orjson.dumps(VALID))
    assert isinstance(parsed, Mention)
    assert parsed.author.handle == "mira"
    assert parsed.created_at.utcoffset() is not None
    assert parsed.partition_key() == "mastodon:109"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\xff\xfe", DeadLetterReason.NOT_UTF8),
        (b"{not json", DeadLetterReason.NOT_JSON),
        (b"[1, 2]", DeadLetterReason.NOT_AN_OBJECT),
        (orjson.dumps({**VALID, "schema_version": 2}), DeadLetterReason.UNSUPPORTED_VERSION),
        (orjson.dumps({**VALID, "created_at": "2026-11-20T09:00:00"}), "schema_violation"),
        (orjson.dumps({**VALID, "author": {"id": "1"}}), "schema_violation"),
        (orjson.dumps({**VALID, "id": "no-source-prefix"}), "schema_violation"),
        (
            orjson.dumps({**VALID, "author": {**VALID["author"], "followers": "10"}}),
            "schema_violation",
        ),
        (b"x" * (MAX_MESSAGE_BYTES + 1), DeadLetterReason.TOO_LARGE),
        (None, DeadLetterReason.NOT_JSON),
    ],
)
def test_bad_input_is_rejected_with_its_reason(raw: bytes | None, reason: str) -> None:
    rejected = parse_mention(raw)
    assert isinstance(rejected, Rejection)
    assert rejected.reason == reason
    assert rejected.detail


def test_schema_violation_names_the_fields() -> None:
    rejected = parse_mention(orjson.dumps({**VALID, "author": {"id": "1"}, "text": 5}))
    assert isinstance(rejected, Rejection)
    assert "author.handle" in rejected.detail and "text" in rejected.detail


def test_deeply_nested_json_is_rejected_not_crashing() -> None:
    raw = b"[" * 100_000 + b"]" * 100_000
    assert isinstance(parse_mention(raw), Rejection)


@given(st.binary(max_size=2000))
def test_any_bytes_give_a_mention_or_a_rejection(raw: bytes) -> None:
    assert isinstance(parse_mention(raw), Mention | Rejection)


@given(st.text(max_size=500))
def test_any_unicode_text_in_a_valid_envelope_parses(text: str) -> None:
    parsed = parse_mention(orjson.dumps({**VALID, "text": text}))
    assert isinstance(parsed, Mention)
    assert parsed.text == text
