from __future__ import annotations

import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from config.connectors import HackerNewsConnector
from connectors.errors import MalformedPayloadError
from connectors.hackernews import HackerNewsSource, to_mention
from tests.support.fakes.harness import MemoryCursors, new_run, run_until
from tests.support.fakes.hn_server import BASE_TIME, FakeHackerNews, comment_hit
from tests.support.fakes.http import serve

pytestmark = pytest.mark.timeout(30)


def test_a_comment_hit_becomes_a_mention() -> None:
    mention = to_mention(comment_hit(1, "Acme Air &amp; their <i>support</i>"), brand="acmeair")
    assert mention.id == "hackernews:40000001"
    assert mention.text == "Acme Air & their support"
    assert mention.author.handle == "hacker1"
    assert mention.in_reply_to == mention.conversation_id == "hackernews:39999999"
    assert mention.url == "https://news.ycombinator.com/item?id=40000001"
    assert int(mention.created_at.timestamp()) == BASE_TIME + 1


def test_a_story_hit_uses_title_text_and_link() -> None:
    story = {
        "objectID": "123",
        "created_at_i": BASE_TIME,
        "author": "pg",
        "title": "Acme Air outage",
        "url": "https://example.com/outage",
        "story_text": None,
        "_tags": ["story"],
    }
    mention = to_mention(story)
    assert mention.text == "Acme Air outage\nhttps://example.com/outage"
    assert mention.conversation_id == "hackernews:123"
    assert mention.in_reply_to is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(["objectID", "created_at_i", "author", "comment_text", "parent_id"]),
        st.none() | st.integers() | st.text(max_size=20) | st.booleans(),
        max_size=3,
    )
)
def test_any_hit_is_a_mention_or_a_reasoned_rejection(changes: dict[str, Any]) -> None:
    try:
        mention = to_mention({**comment_hit(1, "acme air"), **changes})
    except (MalformedPayloadError, ValidationError):
        return
    assert mention.id.startswith("hackernews:")


def _config(url: str) -> HackerNewsConnector:
    return HackerNewsConnector(
        name="hn",
        type="hackernews",
        api_url=url,
        query="acme air",
        poll_seconds=0.05,
        start_days_back=3650,
        retry_initial_seconds=0.05,
        retry_max_seconds=0.2,
    )


async def test_polls_page_by_page_and_resumes_without_gaps_or_repeats() -> None:
    server = FakeHackerNews(hits_per_page_cap=7)
    server.hits = [comment_hit(n, f"acme air {n}") for n in range(1, 20)]
    # Two more in the same second as the last one, indexed after the first poll.
    late = [comment_hit(n, f"acme air {n}", at=BASE_TIME + 19) for n in (20, 21)]
    cursors = MemoryCursors()
    async with serve(server.app()) as url:
        first = new_run("hn", cursors=cursors)
        await run_until(HackerNewsSource(_config(url)), first, lambda: len(first.sink.ids) >= 19)
        server.hits += [*late, comment_hit(22, "acme air 22"), comment_hit(23, "unrelated")]
        second = new_run("hn", cursors=cursors)
        await run_until(HackerNewsSource(_config(url)), second, lambda: len(second.sink.ids) >= 3)
    numbers = [int(i.split(":")[1]) - 40_000_000 for i in first.sink.ids + second.sink.ids]
    assert numbers == [*range(1, 20), 20, 21, 22]
    assert {r["page"] for r in server.requests} >= {"0", "1", "2"}
    assert cursors.values == {"hn/acme air": f'{{"t":{BASE_TIME + 22},"ids":["40000022"]}}'}
    assert server.requests[0]["numericFilters"].startswith("created_at_i>=")


async def test_malformed_hits_are_counted_and_skipped() -> None:
    server = FakeHackerNews()
    broken = comment_hit(2, "acme air broken")
    del broken["author"]
    server.hits = [comment_hit(1, "acme air ok"), broken, comment_hit(3, "acme air ok")]
    async with serve(server.app()) as url:
        run = new_run("hn")
        await run_until(HackerNewsSource(_config(url)), run, lambda: len(run.sink.ids) >= 2)
    assert run.sink.ids == ["hackernews:40000001", "hackernews:40000003"]
    assert run.metric("earful_connector_rejected_total", reason="bad_shape") == 1


async def test_429_waits_for_retry_after() -> None:
    server = FakeHackerNews(rate_limit_requests=1, retry_after=0.5)
    server.hits = [comment_hit(1, "acme air")]
    async with serve(server.app()) as url:
        run = new_run("hn")
        started = time.monotonic()
        await run_until(HackerNewsSource(_config(url)), run, lambda: len(run.sink.ids) >= 1)
        elapsed = time.monotonic() - started
    assert len(server.requests) >= 2
    assert elapsed >= 0.5
    assert run.metric("earful_connector_errors_total", kind="rate_limited") == 1
