from __future__ import annotations

import asyncio
from typing import Any

import pytest

from config.connectors import XConnector
from connectors.errors import MalformedPayloadError
from connectors.x import XSource, to_mention
from tests.support.fakes.harness import eventually, new_run, run_until
from tests.support.fakes.http import serve
from tests.support.fakes.x_server import FakeX, post_message

pytestmark = pytest.mark.timeout(30)
BASE = 1_860_000_000_000_000_000


def test_a_stream_message_becomes_a_mention() -> None:
    mention = to_mention(post_message(2, "@acmeair where is my bag", reply_to=1))
    assert mention.id == f"x:{BASE + 2}"
    assert mention.author.handle == "mira" and mention.author.followers == 1200
    assert mention.in_reply_to == mention.conversation_id == f"x:{BASE + 1}"
    assert mention.url == f"https://x.com/mira/status/{BASE + 2}"
    assert mention.lang == "en"


def test_a_message_without_data_is_rejected() -> None:
    with pytest.raises(MalformedPayloadError, match="missing field data"):
        to_mention({"errors": [{"title": "x"}]})


def _config(url: str, **extra: Any) -> XConnector:
    return XConnector(
        **{
            "name": "x",
            "type": "x",
            "token": "x-bearer",
            "api_url": url,
            "rules": [{"value": '"acme air" -is:retweet'}, {"value": "@acmeair"}],
            "retry_initial_seconds": 0.05,
            "retry_max_seconds": 0.2,
            **extra,
        }
    )


async def test_rules_are_synced_leaving_other_tags_alone() -> None:
    server = FakeX(
        rules=[
            {"id": "1", "value": "@acmeair", "tag": "earful:x"},
            {"id": "2", "value": "old brand", "tag": "earful:x"},
            {"id": "3", "value": "someone else's", "tag": "other-app"},
        ]
    )
    async with serve(server.app()) as url:
        run = new_run("x")
        await run_until(XSource(_config(url)), run, lambda: server.open_streams > 0)
    assert sorted((r["value"], r["tag"]) for r in server.rules) == [
        ('"acme air" -is:retweet', "earful:x"),
        ("@acmeair", "earful:x"),
        ("someone else's", "other-app"),
    ]
    assert server.rule_posts[0] == {"delete": {"ids": ["2"]}}
    assert server.stream_requests[0]["expansions"] == "author_id"


async def test_an_invalid_rule_stops_the_connector_with_xs_reason() -> None:
    server = FakeX()
    async with serve(server.app()) as url:
        run = new_run("x")
        config = _config(url, rules=[{"value": "(acme air"}])
        await run_until(XSource(config), run, lambda: False, within=3)
    assert not run.healthy
    assert server.stream_requests == []


async def test_stream_reconnects_after_a_drop_and_counts_malformed_lines() -> None:
    server = FakeX(drop_after_messages=2)
    async with serve(server.app()) as url:
        run = new_run("x")

        async def script() -> None:
            assert await eventually(lambda: server.open_streams > 0)
            server.send(post_message(1, "@acmeair one"))
            server.send(b"{not json")
            assert await eventually(lambda: server.open_streams == 0)
            assert await eventually(lambda: server.open_streams > 0)
            server.send({"data": {"id": str(BASE + 2), "text": "no author"}})
            server.send(post_message(3, "@acmeair three"))

        scripted = asyncio.create_task(script())
        await run_until(XSource(_config(url)), run, lambda: len(run.sink.ids) >= 2)
        await scripted
    assert run.sink.ids == [f"x:{BASE + 1}", f"x:{BASE + 3}"]
    assert run.metric("earful_connector_rejected_total", reason="not_json") == 1
    assert run.metric("earful_connector_rejected_total", reason="bad_shape") == 1
    assert run.metric("earful_connector_errors_total", kind="disconnected") == 1


async def test_backfill_after_a_reconnect_skips_what_was_published() -> None:
    server = FakeX(drop_after_messages=1)
    async with serve(server.app()) as url:
        run = new_run("x")

        async def script() -> None:
            assert await eventually(lambda: server.open_streams > 0)
            server.send(post_message(1, "@acmeair one"))
            assert await eventually(lambda: server.open_streams == 0)
            assert await eventually(lambda: server.open_streams > 0)
            server.send(post_message(1, "@acmeair one"))  # replayed by backfill_minutes
            server.send(post_message(2, "@acmeair two"))

        scripted = asyncio.create_task(script())
        config = _config(url, backfill_minutes=2)
        await run_until(XSource(config), run, lambda: len(run.sink.ids) >= 2)
        await scripted
    assert run.sink.ids == [f"x:{BASE + 1}", f"x:{BASE + 2}"]
    assert "backfill_minutes" not in server.stream_requests[0]
    assert server.stream_requests[1]["backfill_minutes"] == "2"
    assert run.metric("earful_connector_skipped_total", reason="already_seen") == 1


async def test_429_waits_until_x_rate_limit_reset() -> None:
    server = FakeX(rate_limit_streams=1, reset_in=0.5)
    async with serve(server.app()) as url:
        run = new_run("x")
        await run_until(XSource(_config(url)), run, lambda: server.open_streams > 0)
    assert len(server.stream_times) == 2
    assert server.stream_times[1] - server.stream_times[0] >= 0.5
    assert run.metric("earful_connector_errors_total", kind="rate_limited") == 1
