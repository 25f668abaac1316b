"""Hacker News: polling Algolia's ``search_by_date`` with a ``created_at_i`` cursor.

Each poll asks for items at or after the cursor's second (``numericFilters=
created_at_i>=T``), newest first, page by page; it publishes them oldest first and
remembers the ids seen in the cursor's last second so that none is sent twice.
"""

from __future__ import annotations

import time
from functools import partial
from typing import Any

import httpx

from config.connectors import HackerNewsConnector
from connectors.backoff import quota_exhausted_wait, raise_for_status
from connectors.runtime import Source, SourceContext
from connectors.text import html_to_text, load_json, parse_time, require_mapping, require_str
from connectors.watermark import Watermark, offer_newer
from streams.records import Author, Mention

SOURCE = "hackernews"
ITEM_URL = "https://news.ycombinator.com/item?id={}"
HITS_PER_PAGE = 100
MAX_PAGES = 10  # Algolia returns at most 1,000 hits per query


def to_mention(hit: Any, brand: str | None = None) -> Mention:
    """A search hit (story or comment) as a mention."""
    hit = require_mapping(hit, "hit")
    object_id = require_str(hit, "objectID")
    comment = hit.get("comment_text")
    if comment:
        text = html_to_text(str(comment))
    else:
        parts = [hit.get("title"), html_to_text(str(hit.get("story_text") or "")), hit.get("url")]
        text = "\n".join(str(p) for p in parts if p)
    created = hit.get("created_at_i", hit.get("created_at"))
    author = require_str(hit, "author")
    parent, story = hit.get("parent_id"), hit.get("story_id")
    return Mention(
        schema_version=1,
        id=f"{SOURCE}:{object_id}",
        source=SOURCE,
        text=text,
        created_at=parse_time(created, "created_at_i"),
        author=Author(id=author, handle=author),
        url=ITEM_URL.format(object_id),
        in_reply_to=f"{SOURCE}:{parent}" if parent else None,
        conversation_id=f"{SOURCE}:{story}" if story else f"{SOURCE}:{object_id}",
        brand=brand,
    )


def _stamp(hit: Any) -> tuple[int, str]:
    if not isinstance(hit, dict):
        return (0, "")
    created = hit.get("created_at_i")
    return (created if isinstance(created, int) else 0, str(hit.get("objectID", "")))


class HackerNewsSource(Source):
    def __init__(self, config: HackerNewsConnector) -> None:
        super().__init__(config)
        self.config = config
        self.to_mention = partial(to_mention, brand=config.brand)

    def _cursor(self, ctx: SourceContext) -> Watermark:
        start = time.time() - self.config.start_days_back * 86_400
        return Watermark.load(ctx.cursor(self.config.query), int(start))

    async def run(self, ctx: SourceContext) -> None:
        async with httpx.AsyncClient(base_url=self.config.api_url, timeout=30.0) as client:
            while not ctx.stopping:
                wait = await self.poll(client, ctx)
                if await ctx.sleep(max(wait, self.config.poll_seconds)):
                    return

    async def poll(self, client: httpx.AsyncClient, ctx: SourceContext) -> float:
        """One round: fetch every page since the cursor, publish oldest first. Returns how
        long the rate-limit headers ask to wait before the next request."""
        mark = self._cursor(ctx)
        hits: list[Any] = []
        wait = 0.0
        for page in range(MAX_PAGES):
            response = await client.get(
                "/api/v1/search_by_date",
                params={
                    "query": self.config.query,
                    "tags": self.config.tags,
                    "numericFilters": f"created_at_i>={int(mark.time)}",
                    "hitsPerPage": HITS_PER_PAGE,
                    "page": page,
                },
            )
            raise_for_status(response, "hn algolia search")
            ctx.succeeded()
            wait = quota_exhausted_wait(response.headers)
            body = require_mapping(load_json(response.content), "search response")
            page_hits = body.get("hits")
            if not isinstance(page_hits, list):
                page_hits = []
            hits.extend(page_hits)
            pages = body.get("nbPages")
            if not page_hits or not isinstance(pages, int) or page + 1 >= pages:
                break
        await offer_newer(ctx, mark, hits, _stamp, self.to_mention)
        await ctx.checkpoint(mark.dump(), self.config.query, now=True)
        return wait
