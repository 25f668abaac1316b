"""RSS and Atom feeds: review sites, forums and blogs, polled politely.

Each poll sends the feed's last ``ETag`` / ``Last-Modified`` back, so an unchanged feed
costs a ``304 Not Modified``. Entries are deduplicated per feed by their id (``guid`` /
``<id>``, else link): the cursor keeps the last ``remember_entries`` ids of each feed.
"""

from __future__ import annotations

import calendar
import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import feedparser
import httpx
import orjson

from config.connectors import RssConnector
from connectors.backoff import raise_for_status
from connectors.errors import MalformedPayloadError, RejectReason
from connectors.runtime import Source, SourceContext
from connectors.text import TermMatcher, html_to_text
from streams.records import Author, Mention


def entry_key(entry: Mapping[str, Any]) -> str | None:
    key = entry.get("id") or entry.get("link")
    return str(key) if key else None


def to_mention(entry: Any, feed_url: str, source: str = "rss", brand: str | None = None) -> Mention:
    """A parsed feed entry as a mention; its id is a digest of the feed and entry ids."""
    if not isinstance(entry, Mapping):
        raise MalformedPayloadError(RejectReason.BAD_SHAPE, "entry is not a mapping")
    key = entry_key(entry)
    if key is None:
        raise MalformedPayloadError(RejectReason.BAD_SHAPE, "entry has neither id nor link")
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    if not stamp:
        raise MalformedPayloadError(RejectReason.BAD_SHAPE, f"entry {key!r:.80} has no date")
    content = entry.get("content")
    body = content[0].get("value") if isinstance(content, list) and content else None
    parts = [entry.get("title"), html_to_text(str(body or entry.get("summary") or ""))]
    host = urlsplit(feed_url).netloc
    author = str(entry.get("author") or host)
    link = entry.get("link")
    digest = hashlib.sha256(f"{feed_url}\n{key}".encode()).hexdigest()[:32]
    return Mention(
        schema_version=1,
        id=f"{source}:{digest}",
        source=source,
        text="\n".join(str(p) for p in parts if p),
        created_at=datetime.fromtimestamp(calendar.timegm(stamp), UTC),
        author=Author(id=f"{host}/{author}", handle=author[:256]),
        url=link if isinstance(link, str) and link.startswith(("http://", "https://")) else None,
        brand=brand,
    )


class RssSource(Source):
    def __init__(self, config: RssConnector) -> None:
        super().__init__(config)
        self.config = config
        self.matcher = TermMatcher(config.match)

    async def run(self, ctx: SourceContext) -> None:
        headers = {"User-Agent": "earful-rss/1 (+https://earful.dev)"}
        async with httpx.AsyncClient(
            timeout=30.0, headers=headers, follow_redirects=True
        ) as client:
            while not ctx.stopping:
                for feed_url in self.config.feeds:
                    if ctx.stopping:
                        return
                    await self.poll(client, feed_url, ctx)
                if await ctx.sleep(self.config.poll_seconds):
                    return

    async def poll(self, client: httpx.AsyncClient, feed_url: str, ctx: SourceContext) -> None:
        state = orjson.loads(ctx.cursor(feed_url) or "{}")
        conditional = {}
        if state.get("etag"):
            conditional["If-None-Match"] = state["etag"]
        if state.get("modified"):
            conditional["If-Modified-Since"] = state["modified"]
        response = await client.get(feed_url, headers=conditional)
        if response.status_code == 304:
            ctx.succeeded()
            return
        raise_for_status(response, f"feed {feed_url}")
        ctx.succeeded()
        parsed = feedparser.parse(response.content)
        if parsed.get("bozo") and not parsed.get("entries"):
            ctx.reject(
                RejectReason.BAD_SHAPE,
                f"{feed_url}: not RSS or Atom: {parsed.get('bozo_exception')}",
            )
            return
        seen: list[str] = list(state.get("seen", []))
        known = set(seen)
        to_mention_here = partial(
            to_mention, feed_url=feed_url, source=self.config.source, brand=self.config.brand
        )
        for entry in reversed(parsed.get("entries", [])):  # feeds list newest first
            key = entry_key(entry)
            if key is not None and key in known:
                ctx.skip("already_seen")
                continue
            await ctx.offer(entry, to_mention_here, self.matcher)
            if key is not None:
                seen.append(key)
                known.add(key)
        state = {
            "etag": response.headers.get("ETag"),
            "modified": response.headers.get("Last-Modified"),
            "seen": seen[-self.config.remember_entries :],
        }
        await ctx.checkpoint(orjson.dumps(state).decode(), feed_url, now=True)
