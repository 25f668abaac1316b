"""Hacker News search (hn.algolia.com) on 127.0.0.1: ``/api/v1/search_by_date`` with
``query``, ``numericFilters=created_at_i>=T`` and paging, answering in Algolia's shape."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.fakes.http import rate_limited

BASE_TIME = 1_763_629_200
_FILTER = re.compile(r"^created_at_i(>=|>)(\d+)$")


def comment_hit(n: int, text: str, at: int | None = None) -> dict[str, Any]:
    return {
        "objectID": str(40_000_000 + n),
        "created_at": "2026-11-20T09:00:00.000Z",
        "created_at_i": BASE_TIME + n if at is None else at,
        "author": f"hacker{n}",
        "comment_text": f"<p>{text}</p>",
        "story_id": 39_999_999,
        "parent_id": 39_999_999,
        "story_title": "Airlines and support",
        "_tags": ["comment", f"author_hacker{n}", "story_39999999"],
    }


@dataclass
class FakeHackerNews:
    hits: list[dict[str, Any]] = field(default_factory=list)
    rate_limit_requests: int = 0
    retry_after: float = 0.3
    requests: list[dict[str, str]] = field(default_factory=list)
    hits_per_page_cap: int = 1000

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/api/v1/search_by_date", self._search)
        return app

    async def _search(self, request: web.Request) -> web.Response:
        self.requests.append(dict(request.query))
        if self.rate_limit_requests > 0:
            self.rate_limit_requests -= 1
            return rate_limited(self.retry_after)
        query = request.query.get("query", "").lower()
        found = [h for h in self.hits if query in str(h.get("comment_text", "")).lower()]
        if numeric := request.query.get("numericFilters"):
            match = _FILTER.match(numeric)
            if not match:
                return web.json_response({"message": "invalid numericFilters"}, status=400)
            op, value = match[1], int(match[2])
            found = [
                h
                for h in found
                if (h["created_at_i"] >= value if op == ">=" else h["created_at_i"] > value)
            ]
        found.sort(key=lambda h: h["created_at_i"], reverse=True)
        per_page = min(int(request.query.get("hitsPerPage", "20")), self.hits_per_page_cap)
        page = int(request.query.get("page", "0"))
        pages = (len(found) + per_page - 1) // per_page
        return web.json_response(
            {
                "hits": found[page * per_page : (page + 1) * per_page],
                "nbHits": len(found),
                "page": page,
                "nbPages": pages,
                "hitsPerPage": per_page,
                "query": query,
                "params": request.query_string,
            }
        )
