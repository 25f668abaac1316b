"""YouTube Data API v3 ``commentThreads`` on 127.0.0.1: ``videoId`` /
``allThreadsRelatedToChannelId``, ``order=time`` paging with ``nextPageToken``, the API
key in ``X-Goog-Api-Key``, and Google's ``403 quotaExceeded`` error body."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

BASE = datetime(2026, 11, 20, 9, tzinfo=UTC).timestamp()


def thread(n: int, text: str, video: str = "vid_000001") -> dict[str, Any]:
    published = datetime.fromtimestamp(BASE + n, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    comment_id = f"Ugw{n:06d}"
    return {
        "kind": "youtube#commentThread",
        "etag": f"e{n}",
        "id": comment_id,
        "snippet": {
            "channelId": "UCacmeair000000000000000",
            "videoId": video,
            "topLevelComment": {
                "kind": "youtube#comment",
                "etag": f"c{n}",
                "id": comment_id,
                "snippet": {
                    "channelId": "UCacmeair000000000000000",
                    "videoId": video,
                    "textDisplay": text,
                    "textOriginal": text,
                    "authorDisplayName": f"@viewer{n}",
                    "authorChannelId": {"value": f"UCviewer{n:06d}"},
                    "canRate": True,
                    "viewerRating": "none",
                    "likeCount": 0,
                    "publishedAt": published,
                    "updatedAt": published,
                },
            },
            "canReply": True,
            "totalReplyCount": 0,
            "isPublic": True,
        },
    }


@dataclass
class FakeYouTube:
    key: str = "yt-key"
    threads: list[dict[str, Any]] = field(default_factory=list)
    quota_units: int = 10_000
    page_size_cap: int = 100
    calls: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/youtube/v3/commentThreads", self._list)
        return app

    @staticmethod
    def _error(status: int, reason: str, message: str) -> web.Response:
        body = {
            "error": {
                "code": status,
                "message": message,
                "errors": [
                    {
                        "message": message,
                        "domain": "youtube.quota" if "quota" in reason else "global",
                        "reason": reason,
                    }
                ],
            }
        }
        return web.json_response(body, status=status)

    async def _list(self, request: web.Request) -> web.Response:
        self.calls.append(dict(request.query))
        if request.headers.get("X-Goog-Api-Key") != self.key:
            return self._error(400, "keyInvalid", "API key not valid. Please pass a valid API key.")
        if self.quota_units <= 0:
            return self._error(
                403,
                "quotaExceeded",
                "The request cannot be completed because you have exceeded your quota.",
            )
        self.quota_units -= 1
        video = request.query.get("videoId")
        found = [t for t in self.threads if video is None or t["snippet"]["videoId"] == video]
        found.sort(
            key=lambda t: t["snippet"]["topLevelComment"]["snippet"]["publishedAt"], reverse=True
        )
        size = min(int(request.query.get("maxResults", "20")), self.page_size_cap)
        start = int(request.query.get("pageToken", "0"))
        page = found[start : start + size]
        body: dict[str, Any] = {
            "kind": "youtube#commentThreadListResponse",
            "etag": "list",
            "pageInfo": {"totalResults": len(page), "resultsPerPage": size},
            "items": page,
        }
        if start + size < len(found):
            body["nextPageToken"] = str(start + size)
        return web.json_response(body)
