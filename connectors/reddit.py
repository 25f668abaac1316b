"""Reddit: polling the OAuth search listing (``sort=new``) with an app-only token.

The token comes from ``POST /api/v1/access_token`` (``grant_type=client_credentials``,
HTTP basic auth with the app's id and secret) and is renewed when it expires or is
refused. Every answer carries ``X-Ratelimit-Used``, ``-Remaining`` and ``-Reset``: when
nothing remains, the connector waits for the reset before asking again. The cursor is
the newest ``created_utc`` second published plus the ids seen in it.
"""

from __future__ import annotations

import time
from functools import partial
from typing import Any

import httpx

from config.connectors import RedditConnector
from connectors.backoff import quota_exhausted_wait, raise_for_status
from connectors.errors import ErrorKind, SourceRefusedError
from connectors.runtime import Source, SourceContext
from connectors.text import load_json, parse_time, require, require_mapping, require_str
from connectors.watermark import Watermark, offer_newer
from streams.records import Author, Mention

SOURCE = "reddit"
PAGE_SIZE = 100
MAX_PAGES = 5


def to_mention(child: Any, brand: str | None = None) -> Mention | None:
    """A listing child (``t3`` post or ``t1`` comment) as a mention; None for other kinds."""
    child = require_mapping(child, "listing child")
    kind = child.get("kind")
    if kind not in ("t1", "t3"):
        return None
    data = require_mapping(require(child, "data"), "data")
    native_id = require_str(data, "id")
    author = require_str(data, "author")
    if kind == "t3":
        parts = [data.get("title"), data.get("selftext")]
        text = "\n".join(str(p) for p in parts if p)
        parent = None
        thread = f"{SOURCE}:t3_{native_id}"
    else:
        text = str(require(data, "body"))
        parent = f"{SOURCE}:{require_str(data, 'parent_id')}"
        thread = f"{SOURCE}:{require_str(data, 'link_id')}"
    permalink = data.get("permalink")
    return Mention(
        schema_version=1,
        id=f"{SOURCE}:{kind}_{native_id}",
        source=SOURCE,
        text=text,
        created_at=parse_time(require(data, "created_utc"), "created_utc"),
        author=Author(id=str(data.get("author_fullname") or author), handle=author),
        url=f"https://www.reddit.com{permalink}" if isinstance(permalink, str) else None,
        in_reply_to=parent,
        conversation_id=thread,
        brand=brand,
    )


def _stamp(child: Any) -> tuple[float, str]:
    data = child.get("data") if isinstance(child, dict) else None
    if not isinstance(data, dict):
        return (0.0, "")
    created = data.get("created_utc")
    return (float(created) if isinstance(created, int | float) else 0.0, str(data.get("name")))


class RedditSource(Source):
    def __init__(self, config: RedditConnector) -> None:
        super().__init__(config)
        self.config = config
        self.to_mention = partial(to_mention, brand=config.brand)
        self._token: str | None = None
        self._token_expires = 0.0
        path = "/r/" + "+".join(config.subreddits) + "/search" if config.subreddits else "/search"
        self.search_path = path

    async def _access_token(self, client: httpx.AsyncClient) -> str:
        if self._token and time.monotonic() < self._token_expires:
            return self._token
        response = await client.post(
            self.config.auth_url,
            data={"grant_type": "client_credentials"},
            auth=(self.config.client_id, self.config.secret() or ""),
        )
        raise_for_status(response, "reddit access_token")
        body = require_mapping(load_json(response.content), "token response")
        self._token = require_str(body, "access_token")
        expires = body.get("expires_in")
        self._token_expires = (
            time.monotonic() + (expires if isinstance(expires, int) else 3600) - 60
        )
        return self._token

    def _cursor(self, ctx: SourceContext) -> Watermark:
        start = time.time() - self.config.start_days_back * 86_400
        return Watermark.load(ctx.cursor(self.config.query), start)

    async def run(self, ctx: SourceContext) -> None:
        headers = {"User-Agent": self.config.user_agent}
        async with httpx.AsyncClient(headers=headers, timeout=30.0) as client:
            while not ctx.stopping:
                wait = await self.poll(client, ctx)
                if await ctx.sleep(max(wait, self.config.poll_seconds)):
                    return

    async def _get(self, client: httpx.AsyncClient, params: dict[str, Any]) -> httpx.Response:
        for attempt in range(2):
            token = await self._access_token(client)
            response = await client.get(
                self.config.api_url + self.search_path,
                params=params,
                headers={"Authorization": f"bearer {token}"},
            )
            if response.status_code != 401 or attempt:
                break
            self._token = None  # expired or revoked early: get a new one once
        raise_for_status(response, "reddit search")
        return response

    async def poll(self, client: httpx.AsyncClient, ctx: SourceContext) -> float:
        """One round: newest first until the cursor, then publish oldest first. Returns how
        long the rate-limit headers ask to wait before the next request."""
        mark = self._cursor(ctx)
        children: list[Any] = []
        after: str | None = None
        wait = 0.0
        for _ in range(MAX_PAGES):
            params: dict[str, Any] = {
                "q": self.config.query,
                "sort": "new",
                "limit": PAGE_SIZE,
                "raw_json": 1,
                **({"restrict_sr": 1} if self.config.subreddits else {}),
                **({"after": after} if after else {}),
            }
            try:
                response = await self._get(client, params)
            except SourceRefusedError as error:
                if error.kind is ErrorKind.AUTH:
                    raise SourceRefusedError(
                        "reddit refused the app's credentials: check client_id and the secret",
                        kind=ErrorKind.AUTH,
                    ) from None
                raise
            ctx.succeeded()
            wait = quota_exhausted_wait(response.headers)
            listing = require_mapping(require(load_json(response.content), "data"), "data")
            page = listing.get("children")
            page = page if isinstance(page, list) else []
            children.extend(page)
            after = listing.get("after") if isinstance(listing.get("after"), str) else None
            if not after or not page or _stamp(page[-1])[0] < mark.time or wait:
                break
        await offer_newer(ctx, mark, children, _stamp, self.to_mention)
        await ctx.checkpoint(mark.dump(), self.config.query, now=True)
        return wait
