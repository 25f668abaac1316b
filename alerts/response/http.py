"""The responder's HTTP server: Slack buttons, signed links, the silences API, health.

``POST /slack/interactivity``  Slack's interactivity requests (verified v0 signature)
``GET  /a/{token}``            a confirmation page for a signed link (email, Teams)
``POST /a/{token}``            performs the link's action (the page's button)
``/api/v1/silences``           see :mod:`alerts.response.silences_api`
``GET  /healthz``              200 once the responder has caught up with its topics

A link only acts on POST: mail security scanners open every link in a message, and a GET
that acknowledged alerts would let them do it for the team.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

import structlog
from aiohttp import web

from alerts.response.errors import InvalidRequestError, NotConfiguredError, SignatureError
from alerts.response.links import read_token, verification_keys
from alerts.response.metrics import ResponseMetrics
from alerts.response.records import Silence
from alerts.response.slack_verify import ReplayGuard, parse_interaction, verify_slack_request
from alerts.response.state import Outcome
from config.schema import Settings

log = structlog.get_logger("earful.responder")
MAX_BODY_BYTES = 64 * 1024
Clock = Callable[[], float]


class Backend(Protocol):
    """What the HTTP layer needs from the responder (Kafka behind it)."""

    def ready(self) -> bool: ...

    async def change_state(self, alert_id: str, action: str, by: str, source: str) -> Outcome: ...

    def silences(self) -> list[Silence]: ...

    async def put_silence(self, silence: Silence) -> None: ...


SETTINGS = web.AppKey("settings", Settings)
BACKEND = web.AppKey("backend", Backend)
METRICS = web.AppKey("metrics", ResponseMetrics)
CLOCK: web.AppKey[Clock] = web.AppKey("clock")
REPLAYS = web.AppKey("replays", ReplayGuard)


def build_app(
    settings: Settings, backend: Backend, metrics: ResponseMetrics, clock: Clock = time.time
) -> web.Application:
    from alerts.response.silences_api import add_silence_routes

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[SETTINGS], app[BACKEND], app[METRICS], app[CLOCK] = settings, backend, metrics, clock
    app[REPLAYS] = ReplayGuard()
    app.router.add_post("/slack/interactivity", slack_interactivity)
    app.router.add_get("/a/{token}", link_page)
    app.router.add_post("/a/{token}", link_action)
    app.router.add_get("/healthz", healthz)
    add_silence_routes(app)
    return app


def now_utc(request: web.Request) -> datetime:
    return datetime.fromtimestamp(request.app[CLOCK](), UTC)


async def healthz(request: web.Request) -> web.Response:
    ready = request.app[BACKEND].ready()
    return web.json_response({"ready": ready}, status=200 if ready else 503)


async def slack_interactivity(request: web.Request) -> web.Response:
    app = request.app
    secret = app[SETTINGS].response.slack_signing_secret
    if secret is None:
        return web.Response(
            status=503, text="Slack interactivity is off: set response.slack_signing_secret"
        )
    body = await request.read()
    now = app[CLOCK]()
    signature = request.headers.get("X-Slack-Signature")
    try:
        verify_slack_request(
            secret.get_secret_value(),
            request.headers.get("X-Slack-Request-Timestamp"),
            signature,
            body,
            now,
        )
        app[REPLAYS].check(signature or "", now)
    except SignatureError as error:
        app[METRICS].signature_failures.labels("slack", error.reason).inc()
        log.warning("slack request refused", reason=error.reason, detail=str(error))
        return web.Response(status=401, text=str(error))
    try:
        click = parse_interaction(body)
        outcome = await app[BACKEND].change_state(click.alert_id, click.action, click.user, "slack")
    except InvalidRequestError as error:
        return web.Response(status=400, text=str(error))
    return web.json_response({"alert_id": click.alert_id, "state": outcome.state.state})


def _claim(request: web.Request) -> tuple[str, str] | web.Response:
    app = request.app
    try:
        claim = read_token(
            request.match_info["token"], verification_keys(app[SETTINGS].response), app[CLOCK]()
        )
    except NotConfiguredError as error:
        return web.Response(status=503, text=str(error))
    except SignatureError as error:
        app[METRICS].signature_failures.labels("link", error.reason).inc()
        status = 410 if error.reason == "expired" else 403
        return _page(status, "This link cannot be used", str(error))
    return claim.action, claim.alert_id


async def link_page(request: web.Request) -> web.Response:
    claim = _claim(request)
    if isinstance(claim, web.Response):
        return claim
    action, alert_id = claim
    button = (
        f'<form method="post"><button type="submit">{html.escape(action.capitalize())}'
        "</button></form>"
    )
    return _page(200, f"{action.capitalize()} alert {alert_id}?", button, raw=True)


async def link_action(request: web.Request) -> web.Response:
    claim = _claim(request)
    if isinstance(claim, web.Response):
        return claim
    action, alert_id = claim
    try:
        outcome = await request.app[BACKEND].change_state(alert_id, action, "link", "link")
    except InvalidRequestError as error:
        return _page(409, "Nothing changed", str(error))
    state = outcome.state
    detail = f"State: {state.state} (by {state.by} at {state.at.isoformat()})"
    if state.until is not None:
        detail += f", until {state.until.isoformat()}"
    return _page(200, f"Alert {alert_id}", detail)


def _page(status: int, title: str, body: str, raw: bool = False) -> web.Response:
    content = body if raw else f"<p>{html.escape(body)}</p>"
    text = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Earful</title></head><body>"
        f"<h1>{html.escape(title)}</h1>{content}</body></html>"
    )
    return web.Response(status=status, text=text, content_type="text/html")
