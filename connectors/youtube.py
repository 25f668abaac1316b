"""YouTube: polling ``commentThreads.list`` for videos and channels within the daily quota.

Each call costs 1 quota unit; a project has 10,000 a day by default, reset at midnight
Pacific time. The connector spaces its polls so that ``daily_quota_units`` last the day,
stops calling when they are spent, and waits for the reset when the API answers
``403 quotaExceeded``. Per video or channel, the cursor is the newest ``publishedAt``
published and the thread ids seen at it.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from config.connectors import YouTubeConnector
from connectors.backoff import raise_for_status
from connectors.errors import ConnectorError, RateLimitedError
from connectors.runtime import Source, SourceContext
from connectors.text import load_json, parse_time, require, require_mapping, require_str
from connectors.watermark import Watermark, offer_newer
from streams.records import Author, Mention

SOURCE = "youtube"
PATH = "/youtube/v3/commentThreads"
PACIFIC = ZoneInfo("America/Los_Angeles")
MAX_PAGES = 5
QUOTA_REASONS = ("quotaExceeded", "dailyLimitExceeded", "rateLimitExceeded")


def to_mention(thread: Any, brand: str | None = None) -> Mention:
    """A commentThread resource (its top-level comment) as a mention."""
    thread = require_mapping(thread, "commentThread")
    thread_id = require_str(thread, "id")
    top = require_mapping(require(thread, "snippet", "topLevelComment"), "topLevelComment")
    comment = require_mapping(require(top, "snippet"), "topLevelComment.snippet")
    comment_id = require_str(top, "id")
    video = comment.get("videoId")
    author = str(require(comment, "authorDisplayName")).lstrip("@") or "unknown"
    channel = comment.get("authorChannelId")
    author_id = channel.get("value") if isinstance(channel, dict) else None
    return Mention(
        schema_version=1,
        id=f"{SOURCE}:{comment_id}",
        source=SOURCE,
        text=str(comment.get("textOriginal") or require(comment, "textDisplay")),
        created_at=parse_time(require(comment, "publishedAt"), "publishedAt"),
        author=Author(id=str(author_id or author), handle=author),
        url=f"https://www.youtube.com/watch?v={video}&lc={comment_id}" if video else None,
        conversation_id=f"{SOURCE}:{thread_id}",
        brand=brand,
    )


def seconds_until_quota_reset(now: datetime) -> float:
    """Seconds from ``now`` (aware) to the next midnight Pacific time."""
    local = now.astimezone(PACIFIC)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), PACIFIC)
    return (midnight - local).total_seconds()


class QuotaBudget:
    """Units spent today (Pacific), against the daily budget."""

    def __init__(self, daily_units: int) -> None:
        self.daily_units = daily_units
        self.day: date | None = None
        self.used = 0

    def spend(self, now: datetime) -> bool:
        """Count one call; False (and nothing counted) when today's budget is spent."""
        today = now.astimezone(PACIFIC).date()
        if today != self.day:
            self.day, self.used = today, 0
        if self.used >= self.daily_units:
            return False
        self.used += 1
        return True


def _published(thread: Any) -> tuple[float, str]:
    try:
        snippet = thread["snippet"]["topLevelComment"]["snippet"]
        return parse_time(snippet["publishedAt"], "publishedAt").timestamp(), str(thread["id"])
    except (KeyError, TypeError, ConnectorError):
        return 0.0, ""  # malformed: offered anyway, so that it is counted as rejected


class YouTubeSource(Source):
    def __init__(self, config: YouTubeConnector) -> None:
        super().__init__(config)
        self.config = config
        self.to_mention = partial(to_mention, brand=config.brand)
        self.budget = QuotaBudget(config.daily_quota_units)
        self.targets = [("videoId", v) for v in config.videos] + [
            ("allThreadsRelatedToChannelId", c) for c in config.channels
        ]

    def poll_interval(self) -> float:
        """At least ``poll_seconds``, and long enough for a day of polls to fit the budget
        (one unit per target per poll, more when a poll pages)."""
        return max(
            self.config.poll_seconds, 86_400 * len(self.targets) / self.config.daily_quota_units
        )

    async def run(self, ctx: SourceContext) -> None:
        headers = {"X-Goog-Api-Key": self.config.secret() or ""}  # not in URLs, so not in logs
        async with httpx.AsyncClient(
            base_url=self.config.api_url, headers=headers, timeout=30.0
        ) as client:
            while not ctx.stopping:
                for param, target in self.targets:
                    if ctx.stopping:
                        return
                    await self.poll(client, param, target, ctx)
                if await ctx.sleep(self.poll_interval()):
                    return

    async def _call(self, client: httpx.AsyncClient, params: dict[str, Any]) -> Any:
        now = datetime.now(PACIFIC)
        if not self.budget.spend(now):
            raise RateLimitedError(
                f"youtube: daily_quota_units ({self.budget.daily_units}) spent",
                seconds_until_quota_reset(now),
            )
        response = await client.get(PATH, params=params)
        if response.status_code == 403:
            body = load_json(response.content) if response.content else {}
            errors = body.get("error", {}).get("errors", []) if isinstance(body, dict) else []
            reasons = {str(e.get("reason")) for e in errors if isinstance(e, dict)}
            if reasons & set(QUOTA_REASONS):
                wait = 60.0 if "rateLimitExceeded" in reasons else seconds_until_quota_reset(now)
                raise RateLimitedError(f"youtube: {', '.join(sorted(reasons))}", wait)
        raise_for_status(response, "youtube commentThreads.list")
        return load_json(response.content)

    async def poll(
        self, client: httpx.AsyncClient, param: str, target: str, ctx: SourceContext
    ) -> None:
        start = time.time() - self.config.start_days_back * 86_400
        mark = Watermark.load(ctx.cursor(target), start)
        threads: list[Any] = []
        page_token: str | None = None
        for _ in range(MAX_PAGES):
            params: dict[str, Any] = {
                "part": "snippet",
                param: target,
                "order": "time",
                "maxResults": 100,
                "textFormat": "plainText",
                **({"searchTerms": self.config.search_terms} if self.config.search_terms else {}),
                **({"pageToken": page_token} if page_token else {}),
            }
            body = require_mapping(await self._call(client, params), "commentThreadListResponse")
            ctx.succeeded()
            items = body.get("items") if isinstance(body.get("items"), list) else []
            threads.extend(items or [])
            token = body.get("nextPageToken")
            page_token = token if isinstance(token, str) else None
            if not page_token or not items or _published(items[-1])[0] < mark.time:
                break
        await offer_newer(ctx, mark, threads, _published, self.to_mention)
        await ctx.checkpoint(mark.dump(), target, now=True)
