from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from alerts.records import Silence
from alerts.silences import SilenceView

T0 = datetime(2026, 11, 22, 9, tzinfo=UTC)


def record(silence_id: str, matchers: list[str], hours: int = 1) -> bytes:
    return (
        Silence(
            id=silence_id,
            matchers=matchers,
            starts_at=T0,
            ends_at=T0 + timedelta(hours=hours),
            created_by="ana",
            comment="planned outage",
        )
        .model_dump_json()
        .encode()
    )


def test_a_silence_matches_only_while_active_and_only_all_matchers() -> None:
    view = SilenceView()
    view.put("s1", record("s1", ['team="care"', 'topic=~"bag.*"']))
    care = {"team": "care", "topic": "baggage"}
    assert view.silencing(care, T0 + timedelta(minutes=5)) is not None
    assert view.silencing(care, T0 - timedelta(seconds=1)) is None
    assert view.silencing(care, T0 + timedelta(hours=1)) is None  # ends_at is exclusive
    assert view.silencing({"team": "care", "topic": "delays"}, T0) is None


def test_a_tombstone_deletes_and_an_invalid_record_is_ignored() -> None:
    view = SilenceView()
    view.put("s1", record("s1", ['team="care"']))
    view.put("s2", b'{"id": "s2", "matchers": ["team=="], "created_by": "x"}')
    assert len(view) == 1
    view.put("s1", None)
    assert len(view) == 0 and view.silencing({"team": "care"}, T0) is None


def test_the_silence_record_refuses_bad_matchers_and_backwards_times() -> None:
    with pytest.raises(ValidationError, match="malformed matcher"):
        Silence(
            id="s",
            matchers=["no operator"],
            starts_at=T0,
            ends_at=T0 + timedelta(hours=1),
            created_by="a",
        )
    with pytest.raises(ValidationError, match="ends_at must be after starts_at"):
        Silence(id="s", matchers=['team="a"'], starts_at=T0, ends_at=T0, created_by="a")
