"""The silences API, authenticated with a bearer token from ``response.api_tokens``.

``POST   /api/v1/silences``       create (or, with ``id``, update) -> ``{"silence_id": ...}``
``GET    /api/v1/silences``       every known silence with its status (``?status=active``)
``GET    /api/v1/silences/{id}``  one silence
``DELETE /api/v1/silences/{id}``  expire it now (it stays listed, as expired)
"""

from __future__ import annotations

import hmac
from typing import Any

import orjson
from aiohttp import web

from alerts.response.errors import InvalidRequestError
from alerts.response.http import BACKEND, METRICS, SETTINGS, now_utc
from alerts.response.records import Silence
from alerts.response.silences import build_silence, expired, parse_request

STATUSES = ("pending", "active", "expired")
_LISTING_ORDER = {"active": 0, "pending": 1, "expired": 2}


def add_silence_routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/silences", create_silence)
    app.router.add_get("/api/v1/silences", list_silences)
    app.router.add_get("/api/v1/silences/{id}", get_silence)
    app.router.add_delete("/api/v1/silences/{id}", expire_silence)


def _problem(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _refusal(request: web.Request) -> web.Response | None:
    """None if the request carries a configured bearer token, else the response to send."""
    tokens = request.app[SETTINGS].response.api_tokens
    if not tokens:
        return _problem(503, "the silences API is off: set response.api_tokens in the config")
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given:
        request.app[METRICS].signature_failures.labels("api", "missing").inc()
        return _problem(401, "send Authorization: Bearer <one of response.api_tokens>")
    matches = [hmac.compare_digest(t.get_secret_value().encode(), given.encode()) for t in tokens]
    if not any(matches):
        request.app[METRICS].signature_failures.labels("api", "bad_signature").inc()
        return _problem(401, "unknown bearer token")
    return None


def _view(silence: Silence, request: web.Request) -> dict[str, Any]:
    return {**silence.model_dump(mode="json"), "status": silence.status(now_utc(request))}


def _find(request: web.Request) -> Silence | None:
    wanted = request.match_info["id"]
    return next((s for s in request.app[BACKEND].silences() if s.id == wanted), None)


async def create_silence(request: web.Request) -> web.Response:
    if (refused := _refusal(request)) is not None:
        return refused
    try:
        body = orjson.loads(await request.read())
    except orjson.JSONDecodeError as error:
        return _problem(400, f"the body is not JSON: {error}")
    now = now_utc(request)
    try:
        wanted = parse_request(body)
        existing = None
        if wanted.id is not None:
            existing = next((s for s in request.app[BACKEND].silences() if s.id == wanted.id), None)
            if existing is None or existing.status(now) == "expired":
                return _problem(404, f"no active or pending silence {wanted.id!r} to update")
        silence = build_silence(wanted, now, existing)
    except InvalidRequestError as error:
        return _problem(400, str(error))
    await request.app[BACKEND].put_silence(silence)
    return web.json_response({"silence_id": silence.id})


async def list_silences(request: web.Request) -> web.Response:
    if (refused := _refusal(request)) is not None:
        return refused
    status = request.query.get("status")
    if status is not None and status not in STATUSES:
        return _problem(400, f"status must be one of {', '.join(STATUSES)}")
    views = [_view(s, request) for s in request.app[BACKEND].silences()]
    views.sort(key=lambda v: (_LISTING_ORDER[v["status"]], v["ends_at"]))
    return web.json_response([v for v in views if status in (None, v["status"])])


async def get_silence(request: web.Request) -> web.Response:
    if (refused := _refusal(request)) is not None:
        return refused
    silence = _find(request)
    if silence is None:
        return _problem(404, f"no silence {request.match_info['id']!r}")
    return web.json_response(_view(silence, request))


async def expire_silence(request: web.Request) -> web.Response:
    if (refused := _refusal(request)) is not None:
        return refused
    silence = _find(request)
    if silence is None:
        return _problem(404, f"no silence {request.match_info['id']!r}")
    now = now_utc(request)
    if silence.status(now) != "expired":
        silence = expired(silence, now)
        await request.app[BACKEND].put_silence(silence)
    return web.json_response(_view(silence, request))
