from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from config.connectors import YouTubeConnector
from connectors.errors import MalformedPayloadError
from connectors.youtube import QuotaBudget, YouTubeSource, seconds_until_quota_reset, to_mention
from tests.support.fakes.harness import MemoryCursors, new_run, run_until
from tests.support.fakes.http import serve
from tests.support.fakes.youtube_server import FakeYouTube, thread

pytestmark = pytest.mark.timeout(30)


def test_a_comment_thread_becomes_a_mention() -> None:
    mention = to_mention(thread(1, "Acme Air lost my bag"))
    assert mention.id == "youtube:Ugw000001" and mention.conversation_id == "youtube:Ugw000001"
    assert mention.author.handle == "viewer1" and mention.author.id == "UCviewer000001"
    assert mention.url == "https://www.youtube.com/watch?v=vid_000001&lc=Ugw000001"
    assert mention.created_at == datetime(2026, 11, 20, 9, 0, 1, tzinfo=UTC)


def test_a_thread_without_its_comment_is_rejected() -> None:
    broken = thread(1, "x")
    del broken["snippet"]["topLevelComment"]
    with pytest.raises(MalformedPayloadError, match=r"missing field snippet\.topLevelComment"):
        to_mention(broken)


def test_the_quota_resets_at_midnight_pacific() -> None:
    # 07:00 UTC on 20 Nov is 23:00 the day before in Los Angeles (PST, UTC-8).
    assert seconds_until_quota_reset(datetime(2026, 11, 20, 7, tzinfo=UTC)) == 3600
    budget = QuotaBudget(2)
    now = datetime(2026, 11, 20, 7, tzinfo=UTC)
    assert [budget.spend(now) for _ in range(3)] == [True, True, False]
    assert budget.spend(datetime(2026, 11, 20, 8, 30, tzinfo=UTC))  # a new Pacific day


def _config(url: str, **extra: Any) -> YouTubeConnector:
    return YouTubeConnector(
        **{
            "name": "yt",
            "type": "youtube",
            "token": "yt-key",
            "api_url": url,
            "videos": ["vid_000001"],
            "poll_seconds": 0.05,
            "daily_quota_units": 1_000_000,
            "start_days_back": 3650,
            "retry_initial_seconds": 0.05,
            "retry_max_seconds": 0.2,
            **extra,
        }
    )


async def test_pages_and_resumes_without_gaps_or_repeats() -> None:
    server = FakeYouTube(page_size_cap=3)
    server.threads = [thread(n, f"comment {n}") for n in range(1, 8)]
    cursors = MemoryCursors()
    async with serve(server.app()) as url:
        first = new_run("yt", cursors=cursors)
        await run_until(YouTubeSource(_config(url)), first, lambda: len(first.sink.ids) >= 7)
        server.threads += [thread(8, "comment 8"), thread(99, "other video", video="vid_000002")]
        second = new_run("yt", cursors=cursors)
        await run_until(YouTubeSource(_config(url)), second, lambda: len(second.sink.ids) >= 1)
    ids = first.sink.ids + second.sink.ids
    assert ids == [f"youtube:Ugw{n:06d}" for n in range(1, 9)]
    assert {c["pageToken"] for c in server.calls if "pageToken" in c} == {"3", "6"}


async def test_quota_exceeded_waits_for_the_reset_instead_of_calling_again() -> None:
    server = FakeYouTube(quota_units=1)
    server.threads = [thread(1, "comment")]
    async with serve(server.app()) as url:
        run = new_run("yt")
        # Runs 1.5 s: time enough for retries (backoff is 0.2 s at most) if it made any.
        await run_until(YouTubeSource(_config(url)), run, lambda: len(server.calls) > 2, 1.5)
    assert len(server.calls) == 2  # one answered, one 403 quotaExceeded, then silence
    assert run.metric("earful_connector_errors_total", kind="rate_limited") == 1


async def test_the_local_budget_spaces_polls_and_stops_before_the_api_does() -> None:
    config = _config(
        "http://127.0.0.1:9", daily_quota_units=96, videos=["vid_000001", "vid_000002"]
    )
    assert YouTubeSource(config).poll_interval() == 1800  # 2 targets, 96 units a day


async def test_a_malformed_thread_is_counted_and_skipped() -> None:
    server = FakeYouTube()
    broken = thread(2, "broken")
    broken["snippet"]["topLevelComment"]["snippet"]["publishedAt"] = "not a time"
    server.threads = [thread(1, "ok"), broken, thread(3, "ok")]
    async with serve(server.app()) as url:
        run = new_run("yt")
        await run_until(YouTubeSource(_config(url)), run, lambda: len(run.sink.ids) >= 2)
    assert run.sink.ids == ["youtube:Ugw000001", "youtube:Ugw000003"]
    assert run.metric("earful_connector_rejected_total", reason="bad_shape") >= 1
