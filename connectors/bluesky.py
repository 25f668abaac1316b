"""Bluesky: Jetstream over WebSocket, matching brand terms locally.

Jetstream (``wss://…/subscribe?wantedCollections=app.bsky.feed.post&cursor=<time_us>``)
sends every public post as JSON: ``{did, time_us, kind: "commit", commit: {operation,
collection, rkey, record}}``. Its cursor is a time in microseconds, so a restart
reconnects ``rewind_seconds`` before the last event published (gapless even across
instances) and skips events at or before that last one (no repeats).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any
from urllib.parse import urlencode

import websockets
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from config.connectors import BlueskyConnector
from connectors.backoff import retry_after_seconds
from connectors.errors import ConnectorError, ErrorKind, RateLimitedError, SourceRefusedError
from connectors.runtime import Source, SourceContext
from connectors.text import (
    TermMatcher,
    load_json,
    parse_time,
    require,
    require_mapping,
    require_str,
)
from streams.records import Author, Mention

SOURCE = "bluesky"
POST = "app.bsky.feed.post"


def post_id(did: str, rkey: str) -> str:
    return f"{SOURCE}:{did}/{rkey}"


def id_from_uri(uri: Any) -> str | None:
    """``at://did:plc:x/app.bsky.feed.post/3k2`` as a mention id, or None if not a post."""
    if not isinstance(uri, str) or not uri.startswith("at://"):
        return None
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3 or parts[1] != POST:
        return None
    return post_id(parts[0], parts[2])


def to_mention(event: Any, brand: str | None = None) -> Mention | None:
    """A Jetstream commit event as a mention; None for anything but a new post. Jetstream
    carries the author's DID, not their handle, so the DID stands in for the handle."""
    event = require_mapping(event, "event")
    if event.get("kind") != "commit":
        return None
    commit = require_mapping(require(event, "commit"), "commit")
    if commit.get("operation") != "create" or commit.get("collection") != POST:
        return None
    did = require_str(event, "did")
    rkey = require_str(commit, "rkey")
    record = require_mapping(require(commit, "record"), "commit.record")
    reply: dict[str, Any] = record["reply"] if isinstance(record.get("reply"), dict) else {}
    langs = record.get("langs")
    own_id = post_id(did, rkey)
    return Mention(
        schema_version=1,
        id=own_id,
        source=SOURCE,
        text=str(require(record, "text")),
        created_at=parse_time(require(record, "createdAt"), "commit.record.createdAt"),
        author=Author(id=did, handle=did),
        url=f"https://bsky.app/profile/{did}/post/{rkey}",
        lang=langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else None,
        in_reply_to=id_from_uri((reply.get("parent") or {}).get("uri")),
        conversation_id=id_from_uri((reply.get("root") or {}).get("uri")) or own_id,
        brand=brand,
    )


class BlueskySource(Source):
    def __init__(self, config: BlueskyConnector, brand_terms: Iterable[str] = ()) -> None:
        super().__init__(config)
        self.config = config
        self.matcher = TermMatcher(config.match or brand_terms)
        self.to_mention = partial(to_mention, brand=config.brand)

    def url(self, last_time_us: int | None) -> str:
        params: list[tuple[str, str]] = [("wantedCollections", POST)]
        if last_time_us is not None:
            rewind = int(self.config.rewind_seconds * 1_000_000)
            params.append(("cursor", str(max(0, last_time_us - rewind))))
        return f"{self.config.jetstream_url}?{urlencode(params)}"

    async def run(self, ctx: SourceContext) -> None:
        saved = ctx.cursor()
        last = int(saved) if saved and saved.isdigit() else None
        try:
            async with connect(self.url(last), open_timeout=10, max_size=2**22) as socket:
                ctx.succeeded()
                ctx.log.info("stream_open", resume_from_us=last)
                await ctx.until_stopped(self._read(socket, ctx, last))
        except InvalidStatus as error:
            status = error.response.status_code
            headers = dict(error.response.headers.raw_items())
            if status == 429:
                wait = retry_after_seconds(headers)
                raise RateLimitedError(
                    "jetstream: HTTP 429", 60.0 if wait is None else wait
                ) from None
            if status in (400, 401, 403, 404):
                raise SourceRefusedError(
                    f"jetstream refused the connection (HTTP {status}): check jetstream_url"
                ) from None
            raise ConnectorError(f"jetstream: HTTP {status}") from None
        except websockets.ConnectionClosedError as error:
            raise ConnectorError(
                f"jetstream closed: {error}", kind=ErrorKind.DISCONNECTED
            ) from None

    async def _read(self, socket: ClientConnection, ctx: SourceContext, last: int | None) -> None:
        async for message in socket:
            ctx.succeeded()
            time_us = _time_us(message)
            if time_us is not None and last is not None and time_us <= last:
                ctx.skip("already_seen")
                continue
            mention = await ctx.offer(
                message, lambda m: self.to_mention(load_json(m)), self.matcher
            )
            if mention is None and time_us is not None and not _is_post(message):
                ctx.skip("not_a_post")
            if time_us is not None:
                last = time_us
                await ctx.checkpoint(str(time_us))


def _time_us(message: str | bytes) -> int | None:
    try:
        value = load_json(message).get("time_us")
    except (ConnectorError, AttributeError):
        return None
    return value if isinstance(value, int) else None


def _is_post(message: str | bytes) -> bool:
    event = load_json(message)
    commit = event.get("commit") if isinstance(event, dict) else None
    return (
        isinstance(commit, dict)
        and commit.get("collection") == POST
        and (commit.get("operation") == "create")
    )
