from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.sse import ServerSentEvent, SSEParser


def parse(text: str) -> tuple[list[ServerSentEvent], SSEParser]:
    parser = SSEParser()
    events = [e for line in text.split("\n") if (e := parser.feed_line(line)) is not None]
    return events, parser


def test_mastodon_frames_and_heartbeats() -> None:
    events, parser = parse(
        ':)\nevent: update\ndata: {"id": "1"}\n\n:thump\nevent: delete\ndata: 1\n\n'
    )
    assert events == [ServerSentEvent("update", '{"id": "1"}'), ServerSentEvent("delete", "1")]
    assert parser.heartbeats == 2


def test_multiline_data_id_retry_and_crlf() -> None:
    events, _ = parse("id: 7\r\nretry: 3000\r\ndata: a\r\ndata:b\r\n\r\n")
    assert events == [ServerSentEvent("message", "a\nb", "7", 3000)]


@pytest.mark.parametrize("text", ["event: update\n\n", "data: x", "retry: soon\n"])
def test_incomplete_or_empty_frames_yield_nothing(text: str) -> None:
    assert parse(text)[0] == []


names = st.text(
    st.characters(blacklist_characters="\r\n:", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=12,
)
payloads = st.lists(
    st.text(st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=30),
    min_size=1,
    max_size=3,
)


@given(st.lists(st.tuples(names, payloads, st.booleans()), max_size=8))
def test_encoded_events_come_back_unchanged(frames: list[tuple[str, list[str], bool]]) -> None:
    text = ""
    for name, lines, heartbeat in frames:
        if heartbeat:
            text += ":thump\n"
        text += f"event: {name}\n" + "".join(f"data: {line}\n" for line in lines) + "\n"
    events, parser = parse(text)
    assert [(e.event, e.data) for e in events] == [
        (name, "\n".join(lines)) for name, lines, _ in frames
    ]
    assert parser.heartbeats == sum(h for *_, h in frames)


@given(st.text(max_size=200))
def test_any_text_parses_without_raising(text: str) -> None:
    events, _ = parse(text)
    assert all(isinstance(e.data, str) for e in events)
