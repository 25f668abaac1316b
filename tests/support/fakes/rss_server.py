"""A feed host on 127.0.0.1: RSS 2.0 and Atom documents with ``ETag`` and
``Last-Modified``, answering ``304 Not Modified`` to a matching conditional request."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from html import escape

from aiohttp import web

from tests.support.fakes.http import rate_limited

LAST_MODIFIED = "Thu, 20 Nov 2026 09:00:00 GMT"


@dataclass
class Item:
    guid: str
    title: str
    body: str
    published: str = "Thu, 20 Nov 2026 09:00:00 GMT"


def rss(items: list[Item]) -> str:
    entries = "".join(
        f"<item><guid>{escape(i.guid)}</guid><title>{escape(i.title)}</title>"
        f"<link>https://reviews.test/r/{escape(i.guid)}</link>"
        f"<description>{escape(i.body)}</description><pubDate>{i.published}</pubDate>"
        "<author>rev@example.com (Rev)</author></item>"
        for i in reversed(items)  # newest first, as feeds are
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        "<title>Reviews</title><link>https://reviews.test/</link>"
        f"<description>reviews</description>{entries}</channel></rss>"
    )


def atom(items: list[Item]) -> str:
    entries = "".join(
        f"<entry><id>urn:review:{escape(i.guid)}</id><title>{escape(i.title)}</title>"
        f'<link href="https://blog.test/{escape(i.guid)}"/><updated>2026-11-20T09:00:00Z</updated>'
        f'<author><name>Blogger</name></author><content type="html">{escape(i.body)}</content>'
        "</entry>"
        for i in reversed(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Blog</title><id>urn:blog</id><updated>2026-11-20T09:00:00Z</updated>"
        f"{entries}</feed>"
    )


@dataclass
class FakeFeeds:
    items: list[Item] = field(default_factory=list)
    broken: bool = False
    rate_limit_requests: int = 0
    retry_after: float = 0.3
    answers: list[int] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/feed.xml", self._serve)
        app.router.add_get("/atom.xml", self._serve)
        return app

    async def _serve(self, request: web.Request) -> web.Response:
        if self.rate_limit_requests > 0:
            self.rate_limit_requests -= 1
            self.answers.append(429)
            return rate_limited(self.retry_after)
        body = (
            "<html>not a feed"
            if self.broken
            else (atom(self.items) if request.path == "/atom.xml" else rss(self.items))
        )
        etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            self.answers.append(304)
            return web.Response(status=304, headers={"ETag": etag})
        self.answers.append(200)
        return web.Response(
            text=body,
            content_type="application/rss+xml",
            headers={"ETag": etag, "Last-Modified": LAST_MODIFIED},
        )
