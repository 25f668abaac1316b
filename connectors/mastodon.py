"""Mastodon: the streaming API over server-sent events, one connection per instance.

``GET /api/v1/streaming/{public,public/local,hashtag?tag=,user}`` sends ``update``,
``status.update`` and ``delete`` events and ``:thump`` heartbeats. The stream cannot
resume, so after a restart the connector first reads what it missed from the matching
REST timeline (``min_id`` = the last status id it published), with the stream already
open so that nothing falls between the two.
"""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import urlsplit

import httpx

from config.connectors import MastodonConnector
from connectors.backoff import quota_exhausted_wait, raise_for_status
from connectors.errors import MalformedPayloadError
from connectors.runtime import Source, SourceContext
from connectors.sse import ServerSentEvent, SSEParser
from connectors.text import (
    TermMatcher,
    count_or_none,
    html_to_text,
    load_json,
    native_id_key,
    parse_time,
    require,
    require_mapping,
    require_str,
)
from streams.records import Author, Mention

SOURCE = "mastodon"
STREAM_PATHS = {
    "public": ("/api/v1/streaming/public", "/api/v1/timelines/public", {}),
    "public:local": (
        "/api/v1/streaming/public/local",
        "/api/v1/timelines/public",
        {"local": "true"},
    ),
    "hashtag": ("/api/v1/streaming/hashtag", "/api/v1/timelines/tag/{tag}", {}),
    "user": ("/api/v1/streaming/user", "/api/v1/timelines/home", {}),
}
HEARTBEAT_TIMEOUT = 60.0  # the server sends :thump about every 15 s


def to_mention(status: Any, instance: str, brand: str | None = None) -> Mention | None:
    """A Mastodon Status entity as a mention; None for a boost (it has no text of its own).
    Ids are per instance, hence ``mastodon:<host>/<status id>``."""
    status = require_mapping(status, "status")
    if status.get("reblog"):
        return None
    native_id = require_str(status, "id")
    account = require_mapping(require(status, "account"), "account")
    followers = account.get("followers_count")
    reply_to = status.get("in_reply_to_id")
    mention_id = f"{SOURCE}:{instance}/{native_id}"
    return Mention(
        schema_version=1,
        id=mention_id,
        source=SOURCE,
        text=html_to_text(str(status.get("content") or "")),
        created_at=parse_time(require(status, "created_at"), "created_at"),
        author=Author(
            id=f"{instance}/{require_str(account, 'id')}",
            handle=require_str(account, "acct"),
            followers=count_or_none(followers),
        ),
        url=status.get("url") or status.get("uri") or None,
        lang=status.get("language") or None,
        in_reply_to=f"{SOURCE}:{instance}/{reply_to}" if reply_to else None,
        brand=brand,
    )


class MastodonSource(Source):
    def __init__(self, config: MastodonConnector) -> None:
        super().__init__(config)
        self.config = config
        self.instance = urlsplit(config.instance_url).netloc
        self.matcher = TermMatcher(config.match)
        self.to_mention = partial(to_mention, instance=self.instance, brand=config.brand)

    def _client(self) -> httpx.AsyncClient:
        token = self.config.secret()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        timeout = httpx.Timeout(10.0, read=HEARTBEAT_TIMEOUT)
        return httpx.AsyncClient(
            base_url=self.config.instance_url, headers=headers, timeout=timeout
        )

    async def run(self, ctx: SourceContext) -> None:
        stream_path, _, extra = STREAM_PATHS[self.config.stream]
        params = {**extra, **({"tag": self.config.tag} if self.config.tag else {})}
        async with (
            self._client() as client,
            client.stream("GET", stream_path, params=params) as response,
        ):
            raise_for_status(response, f"mastodon stream {self.instance}")
            ctx.succeeded()
            ctx.log.info("stream_open", instance=self.instance, stream=self.config.stream)
            await ctx.until_stopped(self._read(client, response, ctx))

    async def _read(
        self, client: httpx.AsyncClient, response: httpx.Response, ctx: SourceContext
    ) -> None:
        await self._backfill(client, ctx)
        parser = SSEParser()
        async for line in response.aiter_lines():
            event = parser.feed_line(line)
            if event is None:
                if not line:
                    continue
                ctx.succeeded()  # a heartbeat says the connection is alive
                continue
            await self._handle(event, ctx)

    async def _handle(self, event: ServerSentEvent, ctx: SourceContext) -> None:
        if event.event == "delete":
            ctx.skip("deleted")
            return
        if event.event not in ("update", "status.update"):
            return
        last = ctx.cursor()
        native_id = _id_of(event.data)
        if event.event == "update" and native_id and last and not _newer(native_id, last):
            ctx.skip("already_seen")  # published by the backfill a moment ago
            return
        await ctx.offer(event.data, lambda data: self.to_mention(load_json(data)), self.matcher)
        if native_id and (last is None or _newer(native_id, last)):
            await ctx.checkpoint(native_id)

    async def _backfill(self, client: httpx.AsyncClient, ctx: SourceContext) -> None:
        """Publish what was posted since the cursor, oldest first, from the REST timeline."""
        _, timeline, extra = STREAM_PATHS[self.config.stream]
        path = timeline.format(tag=self.config.tag or "")
        fetched = 0
        while (since := ctx.cursor()) is not None and fetched < self.config.backfill_limit:
            response = await client.get(path, params={**extra, "min_id": since, "limit": 40})
            raise_for_status(response, f"mastodon timeline {self.instance}")
            ctx.succeeded()
            statuses = load_json(response.content)
            if not isinstance(statuses, list) or not statuses:
                return
            statuses.sort(
                key=lambda s: (
                    native_id_key(str(s.get("id", ""))) if isinstance(s, dict) else (0, "")
                )
            )
            for status in statuses:
                await ctx.offer(status, self.to_mention, self.matcher)
                native_id = status.get("id") if isinstance(status, dict) else None
                if isinstance(native_id, str) and _newer(native_id, since):
                    await ctx.checkpoint(native_id)
            fetched += len(statuses)
            if (wait := quota_exhausted_wait(response.headers)) and await ctx.sleep(wait):
                return
        ctx.log.info("backfill_done", statuses=fetched)


def _id_of(payload: str) -> str | None:
    """The id of a status we did not publish (not matching, malformed), to move past it."""
    try:
        data = load_json(payload)
    except MalformedPayloadError:
        return None
    value = data.get("id") if isinstance(data, dict) else None
    return str(value) if isinstance(value, str | int) else None


def _newer(native_id: str, than: str) -> bool:
    return native_id_key(native_id) > native_id_key(than)
