from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from config.connectors import BlueskyConnector
from connectors.bluesky import BlueskySource, to_mention
from connectors.errors import MalformedPayloadError
from tests.support.fakes.harness import MemoryCursors, eventually, new_run, run_until
from tests.support.fakes.jetstream_server import BASE_TIME_US, FakeJetstream, post_event

pytestmark = pytest.mark.timeout(30)


def test_a_post_event_becomes_a_mention() -> None:
    parent = "at://did:plc:acme/app.bsky.feed.post/3kparent"
    mention = to_mention(post_event(1, "@acmeair.bsky.social lost my bag", reply_to=parent))
    assert mention is not None
    assert mention.id == "bluesky:did:plc:mira/3k000001"
    assert mention.author.id == mention.author.handle == "did:plc:mira"
    assert mention.url == "https://bsky.app/profile/did:plc:mira/post/3k000001"
    assert mention.in_reply_to == mention.conversation_id == "bluesky:did:plc:acme/3kparent"
    assert mention.lang == "en"
    assert mention.text == "@acmeair.bsky.social lost my bag"


def test_only_created_posts_are_mentions() -> None:
    deleted = post_event(1, "x")
    deleted["commit"] = {"operation": "delete", "collection": "app.bsky.feed.post", "rkey": "3k"}
    like = post_event(2, "x")
    like["commit"]["collection"] = "app.bsky.feed.like"
    identity = {"did": "did:plc:mira", "time_us": 1, "kind": "identity", "identity": {}}
    assert [to_mention(e) for e in (deleted, like, identity)] == [None, None, None]


def test_a_post_without_text_is_rejected_with_the_field() -> None:
    event = post_event(1, "x")
    del event["commit"]["record"]["text"]
    with pytest.raises(MalformedPayloadError, match=r"missing field text"):
        to_mention(event)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(["text", "createdAt", "langs", "reply"]),
        st.none() | st.integers() | st.text(max_size=30) | st.lists(st.text(max_size=5)),
        max_size=3,
    )
)
def test_any_record_is_a_mention_or_a_reasoned_rejection(changes: dict[str, Any]) -> None:
    event = post_event(1, "acme air")
    event["commit"]["record"].update(changes)
    try:
        mention = to_mention(event)
    except (MalformedPayloadError, ValidationError):
        return
    assert mention is not None and mention.id == "bluesky:did:plc:mira/3k000001"


def _config(url: str) -> BlueskyConnector:
    return BlueskyConnector(
        name="sky",
        type="bluesky",
        jetstream_url=url,
        match=["acme air", "@acmeair.bsky.social"],
        rewind_seconds=0.01,  # 10 ms: ten events of the fake, which are 1 ms apart
        retry_initial_seconds=0.05,
        retry_max_seconds=0.2,
    )


async def test_stream_matches_brand_terms_and_counts_malformed_events() -> None:
    server = FakeJetstream()
    async with server.running() as url:
        run = new_run("sky")

        async def script() -> None:
            assert await eventually(lambda: server.open_connections > 0)
            server.emit(post_event(1, "Acme Air cancelled my flight"))
            server.emit(post_event(2, "unrelated chatter"))
            server.emit(b"{broken")
            server.emit(post_event(3, "acme air, again"))

        scripted = asyncio.create_task(script())
        await run_until(BlueskySource(_config(url)), run, lambda: len(run.sink.mentions) >= 2)
        await scripted
    assert run.sink.ids == ["bluesky:did:plc:mira/3k000001", "bluesky:did:plc:mira/3k000003"]
    assert run.metric("earful_connector_rejected_total", reason="not_json") == 1
    assert run.metric("earful_connector_skipped_total", reason="not_matching") == 1
    assert run.cursors.values == {"sky": str(BASE_TIME_US + 3000)}
    assert server.requests[0] == {"wantedCollections": ["app.bsky.feed.post"]}


async def test_reconnects_after_a_drop_from_the_cursor_minus_the_rewind() -> None:
    server = FakeJetstream(drop_after_events=3)
    async with server.running() as url:
        run = new_run("sky")

        async def script() -> None:
            assert await eventually(lambda: server.open_connections > 0)
            for n in range(1, 4):
                server.emit(post_event(n, f"acme air {n}"))
            assert await eventually(lambda: server.open_connections == 0)
            server.emit(post_event(4, "acme air 4, while disconnected"))
            assert await eventually(lambda: server.open_connections > 0)
            server.emit(post_event(5, "acme air 5"))

        scripted = asyncio.create_task(script())
        await run_until(BlueskySource(_config(url)), run, lambda: len(run.sink.mentions) >= 5)
        await scripted
    assert [m.id[-1] for m in run.sink.mentions] == ["1", "2", "3", "4", "5"]
    assert server.requests[1]["cursor"] == [str(BASE_TIME_US + 3000 - 10_000)]
    assert run.metric("earful_connector_skipped_total", reason="already_seen") == 3
    assert run.metric("earful_connector_errors_total", kind="disconnected") == 1


async def test_restart_resumes_without_gaps_or_repeats() -> None:
    server = FakeJetstream()
    cursors = MemoryCursors()
    async with server.running() as url:
        first = new_run("sky", cursors=cursors)

        async def script() -> None:
            assert await eventually(lambda: server.open_connections > 0)
            for n in range(1, 6):
                server.emit(post_event(n, f"acme air {n}"))

        scripted = asyncio.create_task(script())
        await run_until(BlueskySource(_config(url)), first, lambda: len(first.sink.mentions) >= 5)
        await scripted
        for n in range(6, 30):
            server.emit(post_event(n, f"acme air {n}"))
        second = new_run("sky", cursors=cursors)
        await run_until(
            BlueskySource(_config(url)), second, lambda: len(second.sink.mentions) >= 24
        )
    ids = first.sink.ids + second.sink.ids
    assert ids == [f"bluesky:did:plc:mira/3k{n:06d}" for n in range(1, 30)]


async def test_rate_limited_handshake_waits_for_retry_after() -> None:
    server = FakeJetstream(rate_limit_connections=1, retry_after=0.5)
    async with server.running() as url:
        run = new_run("sky")
        await run_until(BlueskySource(_config(url)), run, lambda: server.open_connections > 0)
    assert len(server.connected_at) == 2
    assert server.connected_at[1] - server.connected_at[0] >= 0.5
    assert run.metric("earful_connector_errors_total", kind="rate_limited") == 1
