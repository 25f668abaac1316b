"""X: the API v2 filtered stream, with its rules synced from config.

At each connection the connector makes the stream's rules tagged ``earful:<name>``
(or the tag given) equal to the configured ones, leaving other rules alone, then reads
``GET /2/tweets/search/stream`` (newline-delimited JSON; a blank line every 20 s keeps
it alive). A ``429`` carries ``x-rate-limit-reset`` (epoch seconds), which the connector
waits for. The stream cannot resume; with ``backfill_minutes`` (an access level that
allows it) a reconnect asks for the missed minutes and skips posts already published.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import httpx

from config.connectors import XConnector
from connectors.backoff import raise_for_status
from connectors.errors import ConnectorError, ErrorKind, SourceRefusedError
from connectors.runtime import Source, SourceContext
from connectors.text import (
    count_or_none,
    load_json,
    native_id_key,
    parse_time,
    require,
    require_mapping,
    require_str,
)
from streams.records import Author, Mention

SOURCE = "x"
RULES_PATH = "/2/tweets/search/stream/rules"
STREAM_PATH = "/2/tweets/search/stream"
STREAM_FIELDS = {
    "tweet.fields": "created_at,author_id,lang,conversation_id,referenced_tweets",
    "expansions": "author_id",
    "user.fields": "username,public_metrics,verified",
}
KEEP_ALIVE_TIMEOUT = 30.0  # X sends a blank line every 20 s


def to_mention(payload: Any, brand: str | None = None) -> Mention:
    """One stream message (``data`` = the post, ``includes.users`` = its author)."""
    payload = require_mapping(payload, "message")
    post = require_mapping(require(payload, "data"), "data")
    post_id = require_str(post, "id")
    author_id = require_str(post, "author_id")
    includes = payload.get("includes") if isinstance(payload.get("includes"), dict) else {}
    users = includes.get("users") if isinstance(includes, dict) else None
    user = next((u for u in users or [] if isinstance(u, dict) and u.get("id") == author_id), {})
    username = str(user.get("username") or author_id)
    metrics = user.get("public_metrics") if isinstance(user.get("public_metrics"), dict) else {}
    followers = metrics.get("followers_count") if isinstance(metrics, dict) else None
    replied = next(
        (
            r.get("id")
            for r in post.get("referenced_tweets") or []
            if isinstance(r, dict) and r.get("type") == "replied_to"
        ),
        None,
    )
    lang = post.get("lang")
    conversation = post.get("conversation_id")
    return Mention(
        schema_version=1,
        id=f"{SOURCE}:{post_id}",
        source=SOURCE,
        text=str(require(post, "text")),
        created_at=parse_time(require(post, "created_at"), "data.created_at"),
        author=Author(
            id=author_id,
            handle=username,
            followers=count_or_none(followers),
            verified=user.get("verified") if isinstance(user.get("verified"), bool) else None,
        ),
        url=f"https://x.com/{username}/status/{post_id}",
        lang=lang if isinstance(lang, str) and lang not in ("und", "qme", "zxx") else None,
        in_reply_to=f"{SOURCE}:{replied}" if replied else None,
        conversation_id=f"{SOURCE}:{conversation}" if conversation else None,
        brand=brand,
    )


class XSource(Source):
    def __init__(self, config: XConnector) -> None:
        super().__init__(config)
        self.config = config
        self.default_tag = f"earful:{config.name}"
        self.to_mention = partial(to_mention, brand=config.brand)
        self._connected_before = False

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.config.api_url,
            headers={"Authorization": f"Bearer {self.config.secret()}"},
            timeout=httpx.Timeout(10.0, read=KEEP_ALIVE_TIMEOUT),
        )

    async def sync_rules(self, client: httpx.AsyncClient) -> None:
        """Make our tagged rules equal to the configured ones; leave other rules alone."""
        response = await client.get(RULES_PATH)
        raise_for_status(response, "x rules")
        current = load_json(response.content).get("data") or []
        wanted = {(r.value, r.tag or self.default_tag) for r in self.config.rules}
        tags = {tag for _, tag in wanted} | {self.default_tag}
        ours = [r for r in current if isinstance(r, dict) and r.get("tag") in tags]
        stale = [r["id"] for r in ours if (r.get("value"), r.get("tag")) not in wanted]
        present = {(r.get("value"), r.get("tag")) for r in ours}
        missing = [{"value": v, "tag": t} for v, t in sorted(wanted - present)]
        if stale:
            response = await client.post(RULES_PATH, json={"delete": {"ids": stale}})
            raise_for_status(response, "x rules delete")
        if missing:
            response = await client.post(RULES_PATH, json={"add": missing})
            raise_for_status(response, "x rules add")
            errors = load_json(response.content).get("errors")
            if errors:
                detail = "; ".join(
                    str(e.get("title") or e.get("detail")) + f" ({e.get('value', '')})"
                    for e in errors
                    if isinstance(e, dict)
                )
                raise SourceRefusedError(f"x refused rules: {detail}: fix rules: in the config")

    async def run(self, ctx: SourceContext) -> None:
        params = dict(STREAM_FIELDS)
        if self.config.backfill_minutes and self._connected_before:
            params["backfill_minutes"] = str(self.config.backfill_minutes)
        async with self._client() as client:
            await self.sync_rules(client)
            async with client.stream("GET", STREAM_PATH, params=params) as response:
                raise_for_status(response, "x stream")
                self._connected_before = True
                ctx.succeeded()
                ctx.log.info("stream_open")
                await ctx.until_stopped(self._read(response, ctx))

    async def _read(self, response: httpx.Response, ctx: SourceContext) -> None:
        async for line in response.aiter_lines():
            ctx.succeeded()
            if not line.strip():
                continue  # keep-alive
            await self._handle(line, ctx)

    async def _handle(self, line: str, ctx: SourceContext) -> None:
        try:
            message = load_json(line)
        except ConnectorError:
            message = None
        if isinstance(message, dict) and "data" not in message and message.get("errors"):
            titles = [str(e.get("title")) for e in message["errors"] if isinstance(e, dict)]
            if any("disconnect" in t.lower() for t in titles):
                raise ConnectorError(f"x: {', '.join(titles)}", kind=ErrorKind.DISCONNECTED)
            ctx.log.warning("x_stream_error", errors=titles)
            return
        post = message.get("data") if isinstance(message, dict) else None
        post_id = post.get("id") if isinstance(post, dict) else None
        last = ctx.cursor()
        if isinstance(post_id, str) and last and native_id_key(post_id) <= native_id_key(last):
            ctx.skip("already_seen")  # sent again by backfill_minutes
            return
        await ctx.offer(line, lambda raw: self.to_mention(load_json(raw)))
        if isinstance(post_id, str) and (not last or native_id_key(post_id) > native_id_key(last)):
            await ctx.checkpoint(post_id)
