from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from streams.duplicates import check, fingerprint, follow_up, is_milestone
from streams.records import Alert


def test_reposts_and_trivial_edits_share_a_fingerprint() -> None:
    original = "@acmeair my bag was lost, flight 123! https://t.co/abc"
    assert fingerprint(original) == fingerprint("RT @fan: @AcmeAir my bag was LOST flight 456")
    assert fingerprint(original) != fingerprint("@acmeair my bag arrived, flight 123")


def test_milestones() -> None:
    assert [n for n in range(1, 1001) if is_milestone(n)] == [
        1,
        5,
        10,
        25,
        50,
        100,
        250,
        500,
        1000,
    ]


def alert(alert_id: str) -> Alert:
    return Alert(
        alert_id=alert_id,
        kind="mention",
        team="care",
        priority="P3",
        labels={"team": "care"},
        summary="my bag was lost",
        reasons=["r"],
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def test_same_id_new_similar_and_expiry() -> None:
    seen: dict[str, Any] = {}
    similar: dict[str, Any] = {}
    text = "my bag was lost"
    first = check("mention:a", text, 0, seen, similar, 60)
    assert first is not None and first.kind == "new"
    again = check("mention:a", text, 1, seen, similar, 60)
    assert again is not None and again.kind == "same_id"
    copy = check("mention:b", "My bag was LOST!!", 2, seen, similar, 60)
    assert copy is not None and (copy.kind, copy.first_alert_id, copy.similar_count) == (
        "similar",
        "mention:a",
        1,
    )
    assert copy.announce
    repost = check(None, "RT @x: my bag was lost", 3, seen, similar, 60)
    assert repost is not None and repost.similar_count == 2 and not repost.announce
    assert check(None, "something else", 4, seen, similar, 60) is None
    late = check("mention:c", text, 100, seen, similar, 60)
    assert late is not None and late.kind == "new"


def test_follow_up_names_the_first_alert() -> None:
    seen: dict[str, Any] = {}
    similar: dict[str, Any] = {}
    check("mention:a", "x y", 0, seen, similar, 60)
    verdict = check("mention:b", "x y", 1, seen, similar, 60)
    assert verdict is not None
    update = follow_up(alert("mention:b"), verdict)
    assert update.alert_id == "mention:a:similar:1"
    assert update.labels["similar_to"] == "mention:a"
    assert update.summary.startswith("+1 similar to mention:a: ")


@given(text=st.text(max_size=200))
def test_fingerprint_never_raises_and_is_stable(text: str) -> None:
    assert fingerprint(text) == fingerprint(text)
    assert len(fingerprint(text)) == 24
