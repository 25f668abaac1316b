from __future__ import annotations

import time
from typing import Any

import pytest
from pydantic import ValidationError

from config.connectors import RedditConnector
from connectors.errors import MalformedPayloadError
from connectors.reddit import RedditSource, to_mention
from tests.support.fakes.harness import MemoryCursors, new_run, run_until
from tests.support.fakes.http import serve
from tests.support.fakes.reddit_server import BASE_UTC, FakeReddit, comment, post

pytestmark = pytest.mark.timeout(30)


def test_a_post_and_a_comment_become_mentions() -> None:
    first = to_mention(post(1, "Acme Air lost my bag"))
    assert first is not None
    assert first.id == first.conversation_id == "reddit:t3_p1"
    assert first.url == "https://www.reddit.com/r/flying/comments/p1/post/"
    assert first.author.id == "t2_u1" and first.author.handle == "redditor1"
    reply = to_mention(comment(2, "same with acme air"))
    assert reply is not None
    assert reply.in_reply_to == reply.conversation_id == "reddit:t3_p1"
    assert reply.created_at.timestamp() == BASE_UTC + 2


@pytest.mark.parametrize(
    "broken",
    [
        {"kind": "t3", "data": {"id": "x"}},
        {"kind": "t1", "data": {**comment(1, "x")["data"], "created_utc": "later"}},
        {"kind": "t3"},
        "text",
    ],
)
def test_broken_children_are_rejected_with_a_reason(broken: Any) -> None:
    with pytest.raises((MalformedPayloadError, ValidationError)):
        to_mention(broken)


def test_other_kinds_are_ignored() -> None:
    assert to_mention({"kind": "more", "data": {"children": []}}) is None


def _config(url: str, **extra: Any) -> RedditConnector:
    return RedditConnector(
        **{
            "name": "reddit",
            "type": "reddit",
            "client_id": "app-id",
            "token": "app-secret",
            "query": "acme air",
            "subreddits": ["flying", "travel"],
            "api_url": url,
            "auth_url": f"{url}/api/v1/access_token",
            "poll_seconds": 0.05,
            "start_days_back": 3650,
            "retry_initial_seconds": 0.05,
            "retry_max_seconds": 0.2,
            **extra,
        }
    )


async def test_pages_then_resumes_without_gaps_or_repeats() -> None:
    server = FakeReddit(page_size_cap=4)
    server.children = [post(n, f"acme air {n}") for n in range(1, 11)]
    cursors = MemoryCursors()
    async with serve(server.app()) as url:
        first = new_run("reddit", cursors=cursors)
        await run_until(RedditSource(_config(url)), first, lambda: len(first.sink.ids) >= 10)
        server.children += [post(11, "acme air 11", at=BASE_UTC + 10), post(12, "acme air 12")]
        second = new_run("reddit", cursors=cursors)
        await run_until(RedditSource(_config(url)), second, lambda: len(second.sink.ids) >= 2)
    assert first.sink.ids + second.sink.ids == [f"reddit:t3_p{n}" for n in range(1, 13)]
    assert server.searches[0]["restrict_sr"] == "1" and server.searches[0]["sort"] == "new"
    assert server.tokens_issued == 2  # one per process


async def test_an_exhausted_quota_waits_for_the_reset() -> None:
    server = FakeReddit(remaining=1, reset_seconds=1)
    server.children = [post(1, "acme air")]
    async with serve(server.app()) as url:
        run = new_run("reddit")
        await run_until(RedditSource(_config(url)), run, lambda: len(server.searches) >= 2)
    assert server.search_times[1] - server.search_times[0] >= 1.0
    assert run.sink.ids == ["reddit:t3_p1"]


async def test_429_waits_for_retry_after() -> None:
    server = FakeReddit(rate_limit_requests=1, retry_after=0.5)
    server.children = [post(1, "acme air")]
    async with serve(server.app()) as url:
        run = new_run("reddit")
        started = time.monotonic()
        await run_until(RedditSource(_config(url)), run, lambda: len(run.sink.ids) >= 1)
        assert time.monotonic() - started >= 0.5
    assert run.metric("earful_connector_errors_total", kind="rate_limited") == 1


async def test_malformed_children_are_counted_and_skipped() -> None:
    server = FakeReddit()
    broken = post(2, "acme air broken")
    del broken["data"]["author"]
    server.children = [post(1, "acme air"), broken, post(3, "acme air")]
    async with serve(server.app()) as url:
        run = new_run("reddit")
        await run_until(RedditSource(_config(url)), run, lambda: len(run.sink.ids) >= 2)
    assert run.sink.ids == ["reddit:t3_p1", "reddit:t3_p3"]
    assert run.metric("earful_connector_rejected_total", reason="bad_shape") == 1


async def test_a_wrong_secret_stops_the_connector() -> None:
    server = FakeReddit()
    async with serve(server.app()) as url:
        run = new_run("reddit")
        await run_until(RedditSource(_config(url, token="nope")), run, lambda: False, within=5)
    assert not run.healthy
    assert run.metric("earful_connector_errors_total", kind="auth") == 1
