from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from config.connectors import MastodonConnector
from connectors.errors import MalformedPayloadError
from connectors.mastodon import MastodonSource, to_mention
from tests.support.fakes.harness import MemoryCursors, eventually, new_run, run_until
from tests.support.fakes.http import serve
from tests.support.fakes.mastodon_server import FakeMastodon, notification, status

pytestmark = pytest.mark.timeout(30)


def test_a_status_becomes_a_mention() -> None:
    reply = status(7, "@acmeair <b>lost</b> my bag &amp; nobody answers", in_reply_to_id="5")
    mention = to_mention(reply, "masto.test", brand="acmeair")
    assert mention is not None
    assert mention.id == "mastodon:masto.test/7"
    assert mention.text == "@acmeair lost my bag & nobody answers"
    assert mention.author.handle == "mira"
    assert mention.author.id == "masto.test/42"
    assert mention.author.followers == 120
    assert mention.in_reply_to == "mastodon:masto.test/5"
    assert mention.partition_key() == "mastodon:masto.test/5"
    assert mention.url == "https://masto.test/@mira/7"
    assert mention.lang == "en"
    assert mention.brand == "acmeair"
    assert mention.created_at.isoformat() == "2026-11-20T09:00:00+00:00"


def test_a_boost_is_not_a_mention_of_its_own() -> None:
    assert to_mention(status(8, "", reblog=status(7, "original")), "masto.test") is None


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        ({**status(1, "x"), "account": None}, "field account is null"),
        ({k: v for k, v in status(1, "x").items() if k != "id"}, "missing field id"),
        ({**status(1, "x"), "created_at": "yesterday"}, "field created_at is not a date-time"),
        ([1, 2], "status must be a JSON object"),
    ],
)
def test_malformed_statuses_say_what_is_wrong(payload: Any, detail: str) -> None:
    with pytest.raises(MalformedPayloadError) as caught:
        to_mention(payload, "masto.test")
    assert detail in caught.value.detail


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(["id", "created_at", "content", "account", "url", "language", "reblog"]),
        json_values,
        max_size=4,
    )
)
def test_any_payload_is_a_mention_or_a_reasoned_rejection(changes: dict[str, Any]) -> None:
    try:
        result = to_mention({**status(1, "acme air"), **changes}, "masto.test")
    except (MalformedPayloadError, ValidationError):
        return
    assert result is None or result.id.startswith("mastodon:masto.test/")


def _config(url: str, **extra: Any) -> MastodonConnector:
    return MastodonConnector(
        name="masto",
        type="mastodon",
        instance_url=url,
        stream="hashtag",
        tag="acmeair",
        match=["acme air", "@acmeair"],
        retry_initial_seconds=0.05,
        retry_max_seconds=0.2,
        **extra,
    )


async def _wait_for_stream(server: FakeMastodon) -> None:
    assert await eventually(lambda: server.open_streams > 0)


async def test_stream_publishes_matching_updates_and_counts_malformed_ones() -> None:
    server = FakeMastodon(token="s3cret")
    async with serve(server.app()) as url:
        run = new_run("masto")
        source = MastodonSource(_config(url, token="s3cret"))

        async def script() -> None:
            await _wait_for_stream(server)
            server.post(status(1, "@acmeair my flight was cancelled"))
            server.post(status(2, "nothing about brands here"))
            server.push("update", "{not json")
            server.push("delete", "1")
            server.post(status(3, "Acme Air lost my bag"), event="status.update")

        scripted = asyncio.create_task(script())
        await run_until(source, run, lambda: len(run.sink.mentions) >= 2)
        await scripted
    host = url.removeprefix("http://")
    assert run.sink.ids == [f"mastodon:{host}/1", f"mastodon:{host}/3"]
    assert run.metric("earful_connector_rejected_total", reason="not_json") == 1
    assert run.metric("earful_connector_skipped_total", reason="not_matching") == 1
    assert run.metric("earful_connector_skipped_total", reason="deleted") == 1
    assert run.metric("earful_connector_published_total") == 2
    assert run.cursors.values == {"masto": "3"}


async def test_reconnects_after_a_dropped_stream_and_backfills_the_gap() -> None:
    server = FakeMastodon(drop_after_events=2)
    async with serve(server.app()) as url:
        run = new_run("masto")
        source = MastodonSource(_config(url))

        async def script() -> None:
            await _wait_for_stream(server)
            server.post(status(1, "acme air one"))
            server.post(status(2, "acme air two"))  # the stream drops after this one
            assert await eventually(lambda: server.open_streams == 0)
            server.post(status(3, "acme air three, posted while disconnected"))
            await _wait_for_stream(server)
            server.post(status(4, "acme air four"))

        scripted = asyncio.create_task(script())
        await run_until(source, run, lambda: len(run.sink.mentions) >= 4)
        await scripted
    assert [m.id.rsplit("/", 1)[1] for m in run.sink.mentions] == ["1", "2", "3", "4"]
    assert len(server.stream_requests) == 2
    assert server.timeline_requests[0]["min_id"] == "2"
    assert run.metric("earful_connector_errors_total", kind="disconnected") == 1


async def test_restart_resumes_from_the_cursor_without_gaps_or_repeats() -> None:
    server = FakeMastodon()
    cursors = MemoryCursors()
    async with serve(server.app()) as url:
        first = new_run("masto", cursors=cursors)

        async def before() -> None:
            await _wait_for_stream(server)
            for i in range(1, 4):
                server.post(status(i, f"acme air {i}"))

        scripted = asyncio.create_task(before())
        await run_until(MastodonSource(_config(url)), first, lambda: len(first.sink.mentions) >= 3)
        await scripted
        assert cursors.values == {"masto": "3"}

        for i in range(4, 50):  # posted while Earful was down: more than one page of 40
            server.post(status(i, f"acme air {i}"))
        second = new_run("masto", cursors=cursors)
        await run_until(
            MastodonSource(_config(url)), second, lambda: len(second.sink.mentions) >= 46
        )
    ids = [int(m.id.rsplit("/", 1)[1]) for m in first.sink.mentions + second.sink.mentions]
    assert ids == list(range(1, 50))
    assert cursors.values == {"masto": "49"}


async def test_rate_limited_stream_waits_as_long_as_retry_after_says() -> None:
    server = FakeMastodon(rate_limit_streams=1, retry_after=0.5)
    async with serve(server.app()) as url:
        run = new_run("masto")
        await run_until(MastodonSource(_config(url)), run, lambda: server.open_streams > 0)
    assert len(server.stream_requests) == 2
    assert server.stream_requests[1] - server.stream_requests[0] >= 0.5
    assert run.metric("earful_connector_errors_total", kind="rate_limited") == 1


async def test_refused_token_stops_the_connector_with_the_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = FakeMastodon(token="right")
    async with serve(server.app()) as url:
        run = new_run("masto")
        config = _config(url, token="wrong-token-value")
        await run_until(MastodonSource(config), run, lambda: False, within=5)
    logged = capsys.readouterr()
    assert "credentials were refused" in logged.out + logged.err
    assert "wrong-token-value" not in logged.out + logged.err + repr(config)
    assert not run.healthy
    assert len(server.stream_requests) == 1
    assert run.metric("earful_connector_errors_total", kind="auth") == 1


async def test_user_stream_publishes_mention_notifications_and_backfills_them() -> None:
    server = FakeMastodon(token="s3cret")
    cursors = MemoryCursors()
    config = MastodonConnector(
        name="masto", type="mastodon", instance_url="http://x", stream="user", token="s3cret"
    )
    async with serve(server.app()) as url:
        config = config.model_copy(update={"instance_url": url})
        first = new_run("masto", cursors=cursors)

        async def script() -> None:
            await _wait_for_stream(server)
            server.notify(notification(500, "favourite", status(1, "liked")))
            server.notify(notification(501, "mention", status(10, "@acmeair_help my bag?")))

        scripted = asyncio.create_task(script())
        await run_until(MastodonSource(config), first, lambda: len(first.sink.ids) >= 1)
        await scripted
        server.notify(notification(502, "mention", status(11, "@acmeair_help hello?")))
        server.notify(notification(503, "follow", None))
        second = new_run("masto", cursors=cursors)
        await run_until(MastodonSource(config), second, lambda: len(second.sink.ids) >= 1)
    host = url.removeprefix("http://")
    assert first.sink.ids == [f"mastodon:{host}/10"]
    assert second.sink.ids == [f"mastodon:{host}/11"]
    assert first.metric("earful_connector_skipped_total", reason="not_a_post") == 1
    assert cursors.values["masto/notifications"] == "502"
