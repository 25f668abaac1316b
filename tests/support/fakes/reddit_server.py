"""Reddit's OAuth API on 127.0.0.1: ``/api/v1/access_token`` (client credentials) and
``/search`` / ``/r/{subs}/search`` listings (``sort=new``, ``after``), with the
``X-Ratelimit-Used/Remaining/Reset`` headers Reddit sends."""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.fakes.http import rate_limited

BASE_UTC = 1_763_629_200.0


def post(n: int, title: str, at: float | None = None) -> dict[str, Any]:
    return {
        "kind": "t3",
        "data": {
            "id": f"p{n}",
            "name": f"t3_p{n}",
            "title": title,
            "selftext": "",
            "author": f"redditor{n}",
            "author_fullname": f"t2_u{n}",
            "created_utc": BASE_UTC + n if at is None else at,
            "subreddit": "flying",
            "permalink": f"/r/flying/comments/p{n}/post/",
            "url": f"https://www.reddit.com/r/flying/comments/p{n}/post/",
        },
    }


def comment(n: int, body: str, on: str = "t3_p1") -> dict[str, Any]:
    return {
        "kind": "t1",
        "data": {
            "id": f"c{n}",
            "name": f"t1_c{n}",
            "body": body,
            "author": f"redditor{n}",
            "created_utc": BASE_UTC + n,
            "link_id": on,
            "parent_id": on,
            "permalink": f"/r/flying/comments/p1/post/c{n}/",
        },
    }


@dataclass
class FakeReddit:
    client_id: str = "app-id"
    client_secret: str = "app-secret"
    children: list[dict[str, Any]] = field(default_factory=list)
    remaining: float = 600.0
    reset_seconds: int = 1
    rate_limit_requests: int = 0
    retry_after: float = 0.3
    page_size_cap: int = 100
    tokens_issued: int = 0
    searches: list[dict[str, str]] = field(default_factory=list)
    search_times: list[float] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/api/v1/access_token", self._token)
        app.router.add_get("/search", self._search)
        app.router.add_get("/r/{subs}/search", self._search)
        return app

    async def _token(self, request: web.Request) -> web.Response:
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        form = await request.post()
        if request.headers.get("Authorization") != f"Basic {expected}":
            return web.json_response({"error": 401, "message": "Unauthorized"}, status=401)
        if form.get("grant_type") != "client_credentials":
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        self.tokens_issued += 1
        return web.json_response(
            {
                "access_token": f"tok{self.tokens_issued}",
                "token_type": "bearer",
                "expires_in": 86400,
                "scope": "*",
            }
        )

    async def _search(self, request: web.Request) -> web.Response:
        self.searches.append(dict(request.query))
        self.search_times.append(time.monotonic())
        if not request.headers.get("Authorization", "").startswith("bearer tok"):
            return web.json_response({"message": "Unauthorized", "error": 401}, status=401)
        if self.rate_limit_requests > 0:
            self.rate_limit_requests -= 1
            return rate_limited(self.retry_after)
        self.remaining = max(0.0, self.remaining - 1)
        query = request.query.get("q", "").lower()
        found = [
            c
            for c in self.children
            if query in str(c["data"].get("title", c["data"].get("body", ""))).lower()
        ]
        found.sort(key=lambda c: c["data"]["created_utc"], reverse=True)
        limit = min(int(request.query.get("limit", "25")), self.page_size_cap)
        start = 0
        if after := request.query.get("after"):
            names = [c["data"]["name"] for c in found]
            start = names.index(after) + 1 if after in names else len(found)
        page = found[start : start + limit]
        more = start + limit < len(found)
        headers = {
            "X-Ratelimit-Used": str(int(600 - self.remaining)),
            "X-Ratelimit-Remaining": f"{self.remaining:.1f}",
            "X-Ratelimit-Reset": str(self.reset_seconds),
        }
        body = {
            "kind": "Listing",
            "data": {
                "after": page[-1]["data"]["name"] if page and more else None,
                "before": None,
                "dist": len(page),
                "children": page,
            },
        }
        return web.json_response(body, headers=headers)
