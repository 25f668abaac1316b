"""PagerDuty's Events API v2 (``POST /v2/enqueue``) on 127.0.0.1, with its validation
and answers: 202 ``{"status": "success", ...}`` or 400 ``{"status": "invalid event"}``."""

from __future__ import annotations

from typing import Any

from tests.support.fakes.base import Answer, FakeService, json_answer, parse_json
from tests.support.receivers import Received

ROUTING_KEY = "R0123456789ABCDEF0123456789ABCDE"
SEVERITIES = ("critical", "error", "warning", "info")
ACTIONS = {"trigger": "triggered", "acknowledge": "acknowledged", "resolve": "resolved"}


class FakePagerDuty(FakeService):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[dict[str, Any]] = []
        self.alerts: dict[str, str] = {}  # dedup_key -> state

    @property
    def enqueue_url(self) -> str:
        return self.url + "/v2/enqueue"

    def handle(self, request: Received) -> Answer:
        if request.path != "/v2/enqueue":
            return json_answer(404, {"status": "not found"})
        event = parse_json(request)
        errors = event_errors(event)
        if errors:
            return json_answer(
                400,
                {"status": "invalid event", "message": "Event object is invalid", "errors": errors},
            )
        assert isinstance(event, dict)
        self.events.append(event)
        key = event["dedup_key"]
        self.alerts[key] = ACTIONS[event["event_action"]]
        return json_answer(
            202, {"status": "success", "message": "Event processed", "dedup_key": key}
        )


def event_errors(event: object) -> list[str]:
    if not isinstance(event, dict):
        return ["Event must be a JSON object"]
    errors = []
    key = event.get("routing_key")
    if not isinstance(key, str) or len(key) != 32:
        errors.append("Length of 'routing_key' is incorrect (should be 32 characters)")
    elif key != ROUTING_KEY:
        errors.append("Invalid routing key")
    action = event.get("event_action")
    if action not in ACTIONS:
        errors.append("'event_action' is invalid (must be trigger, acknowledge or resolve)")
    dedup = event.get("dedup_key")
    if action != "trigger" and not dedup:
        errors.append("'dedup_key' is required for acknowledge and resolve")
    if dedup is not None and (not isinstance(dedup, str) or len(dedup) > 255):
        errors.append("'dedup_key' must be a string of at most 255 characters")
    if action == "trigger":
        payload = event.get("payload")
        if not isinstance(payload, dict):
            return [*errors, "'payload' is missing"]
        summary = payload.get("summary")
        if not isinstance(summary, str) or not 0 < len(summary) <= 1024:
            errors.append("'payload.summary' is missing or longer than 1024 characters")
        if not payload.get("source"):
            errors.append("'payload.source' is missing")
        if payload.get("severity") not in SEVERITIES:
            errors.append("'payload.severity' is invalid")
    return errors
