from __future__ import annotations

import time

import feedparser
import pytest

from config.connectors import RssConnector
from connectors.rss import RssSource, to_mention
from tests.support.fakes.harness import MemoryCursors, new_run, run_until
from tests.support.fakes.http import serve
from tests.support.fakes.rss_server import FakeFeeds, Item, atom, rss

pytestmark = pytest.mark.timeout(30)
ITEMS = [
    Item(f"g{n}", f"Review {n}", f"<p>Acme Air flight {n} was <b>late</b></p>") for n in (1, 2)
]


def test_an_rss_item_becomes_a_mention() -> None:
    entry = feedparser.parse(rss(ITEMS)).entries[-1]
    mention = to_mention(entry, "https://reviews.test/feed.xml", source="reviews")
    assert mention.id.startswith("reviews:") and len(mention.id) == len("reviews:") + 32
    assert mention.text == "Review 1\nAcme Air flight 1 was late"
    assert mention.url == "https://reviews.test/r/g1"
    assert mention.created_at.isoformat() == "2026-11-20T09:00:00+00:00"
    assert mention.author.handle == "rev@example.com (Rev)"


def test_an_atom_entry_becomes_a_mention() -> None:
    entry = feedparser.parse(atom(ITEMS)).entries[0]
    mention = to_mention(entry, "https://blog.test/atom.xml")
    assert mention.text == "Review 2\nAcme Air flight 2 was late"
    assert mention.author.handle == "Blogger"
    assert mention.url == "https://blog.test/g2"


def test_the_same_entry_in_two_feeds_gets_two_ids() -> None:
    entry = feedparser.parse(rss(ITEMS)).entries[0]
    assert to_mention(entry, "https://a.test/f").id != to_mention(entry, "https://b.test/f").id


def _config(*feeds: str) -> RssConnector:
    return RssConnector(
        name="reviews",
        type="rss",
        feeds=list(feeds),
        match=["acme air"],
        poll_seconds=0.05,
        retry_initial_seconds=0.05,
        retry_max_seconds=0.2,
    )


async def test_polls_with_etag_and_publishes_each_entry_once_across_restarts() -> None:
    server = FakeFeeds(items=list(ITEMS))
    cursors = MemoryCursors()
    async with serve(server.app()) as url:
        config = _config(f"{url}/feed.xml", f"{url}/atom.xml")
        first = new_run("reviews", cursors=cursors)
        await run_until(RssSource(config), first, lambda: server.answers.count(304) >= 2)
        server.items.append(Item("g3", "Review 3", "acme air lost my bag"))
        server.items.append(Item("g4", "Review 4", "nothing relevant"))
        second = new_run("reviews", cursors=cursors)
        await run_until(RssSource(config), second, lambda: len(second.sink.ids) >= 2)
    assert len(first.sink.ids) == 4  # two entries in each of two feeds
    assert [m.text.split("\n")[0] for m in second.sink.mentions] == ["Review 3", "Review 3"]
    assert second.metric("earful_connector_skipped_total", reason="already_seen") >= 4
    assert second.metric("earful_connector_skipped_total", reason="not_matching") == 2


async def test_a_broken_feed_is_counted_and_skipped() -> None:
    server = FakeFeeds(broken=True)
    async with serve(server.app()) as url:
        run = new_run("reviews")
        await run_until(
            RssSource(_config(f"{url}/feed.xml")),
            run,
            lambda: run.metric("earful_connector_rejected_total", reason="bad_shape") >= 1,
        )
    assert run.sink.ids == []
    assert run.metric("earful_connector_rejected_total", reason="bad_shape") >= 1


async def test_429_waits_for_retry_after() -> None:
    server = FakeFeeds(items=list(ITEMS), rate_limit_requests=1, retry_after=0.5)
    async with serve(server.app()) as url:
        run = new_run("reviews")
        started = time.monotonic()
        await run_until(RssSource(_config(f"{url}/feed.xml")), run, lambda: len(run.sink.ids) >= 2)
        assert time.monotonic() - started >= 0.5
    assert server.answers[:2] == [429, 200]
    assert run.metric("earful_connector_errors_total", kind="rate_limited") == 1
