"""Mastodon: the streaming API over server-sent events, one connection per instance.

``GET /api/v1/streaming/{public,public/local,hashtag?tag=,user}`` sends ``update``,
``status.update`` and ``delete`` events and ``:thump`` heartbeats. The stream cannot
resume, so after a restart the connector first reads what it missed from the matching
REST timeline (``min_id`` = the last status id it published), with the stream already
open so that nothing falls between the two.
"""

from __future__ import annotations

from collections.abc import Callable
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
NOTIFICATIONS_PATH = "/api/v1/notifications"
NOTIFICATIONS = "notifications"  # the cursor query of the user stream's mentions
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
        if event.event == "notification":
            await self._handle_notification(event.data, ctx)
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

    async def _handle_notification(self, data: str, ctx: SourceContext) -> None:
        """Someone mentioned the token's account: the status they wrote is a mention."""
        note = _json_or_none(data)
        if isinstance(note, dict) and note.get("type") != "mention":
            ctx.skip("not_a_post")  # a favourite, a follow...
            return
        last = ctx.cursor(NOTIFICATIONS)
        note_id = _id_of(data)
        if note_id and last and not _newer(note_id, last):
            ctx.skip("already_seen")
            return
        await ctx.offer(
            data, lambda raw: self.to_mention(require(load_json(raw), "status")), self.matcher
        )
        if note_id:
            await ctx.checkpoint(note_id, NOTIFICATIONS)

    async def _backfill(self, client: httpx.AsyncClient, ctx: SourceContext) -> None:
        """Publish what was posted since the cursor, oldest first, from the REST timeline
        (and, for the user stream, the mentions among the notifications)."""
        _, timeline, extra = STREAM_PATHS[self.config.stream]
        path = timeline.format(tag=self.config.tag or "")
        await self._page_since(client, ctx, path, extra, "", lambda status: status)
        if self.config.stream == "user":
            await self._page_since(
                client,
                ctx,
                NOTIFICATIONS_PATH,
                {"types[]": "mention"},
                NOTIFICATIONS,
                lambda note: note.get("status") if isinstance(note, dict) else None,
            )

    async def _page_since(
        self,
        client: httpx.AsyncClient,
        ctx: SourceContext,
        path: str,
        extra: dict[str, str],
        query: str,
        status_of: Callable[[Any], Any],
    ) -> None:
        fetched = 0
        while (since := ctx.cursor(query)) is not None and fetched < self.config.backfill_limit:
            response = await client.get(path, params={**extra, "min_id": since, "limit": 40})
            raise_for_status(response, f"mastodon {path} {self.instance}")
            ctx.succeeded()
            items = load_json(response.content)
            if not isinstance(items, list) or not items:
                break
            items.sort(
                key=lambda i: (
                    native_id_key(str(i.get("id", ""))) if isinstance(i, dict) else (0, "")
                )
            )
            for item in items:
                await ctx.offer(item, lambda i: self.to_mention(status_of(i)), self.matcher)
                native_id = item.get("id") if isinstance(item, dict) else None
                if isinstance(native_id, str) and _newer(native_id, since):
                    await ctx.checkpoint(native_id, query)
            fetched += len(items)
            if (wait := quota_exhausted_wait(response.headers)) and await ctx.sleep(wait):
                return
        ctx.log.info("backfill_done", path=path, items=fetched)


def _json_or_none(payload: str) -> Any:
    try:
        return load_json(payload)
    except MalformedPayloadError:
        return None


def _id_of(payload: str) -> str | None:
    """The id of a status or notification, even one we did not publish, to move past it."""
    data = _json_or_none(payload)
    value = data.get("id") if isinstance(data, dict) else None
    return str(value) if isinstance(value, str | int) else None


def _newer(native_id: str, than: str) -> bool:
    return native_id_key(native_id) > native_id_key(than)
