"""A Teams Workflows webhook ("When a Teams webhook request is received") on 127.0.0.1.

Checks the ``sig`` query parameter like the real trigger URL, the message envelope and
the Adaptive Card shape, refuses bodies over 28 KB with 413, and answers 202.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.fakes.base import Answer, FakeService, json_answer, parse_json
from tests.support.receivers import Received

WORKFLOW_PATH = "/workflows/0a1b2c3d/triggers/manual/paths/invoke"
SIGNATURE = "fake-sig-0000"
MAX_BYTES = 28 * 1024
CARD_TYPE = "application/vnd.microsoft.card.adaptive"


class FakeTeams(FakeService):
    def __init__(self) -> None:
        super().__init__()
        self.cards: list[dict[str, Any]] = []

    @property
    def workflow_url(self) -> str:
        query = f"api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={SIGNATURE}"
        return f"{self.url}{WORKFLOW_PATH}?{query}"

    def handle(self, request: Received) -> Answer:
        parts = urlsplit(request.path)
        if parts.path != WORKFLOW_PATH:
            return _error(404, "WorkflowNotFound", "The workflow could not be found.")
        if parse_qs(parts.query).get("sig") != [SIGNATURE]:
            return _error(401, "DirectApiAuthorizationRequired", "The request must be signed.")
        if len(request.body) > MAX_BYTES:
            return _error(413, "MessageTooLarge", "Request entity too large.")
        data = parse_json(request)
        card = _card(data)
        if card is None:
            return _error(
                400, "InvalidTemplate", "The body is not a message with an Adaptive Card."
            )
        self.cards.append(card)
        return 202, {}, b""


def _error(status: int, code: str, message: str) -> Answer:
    return json_answer(status, {"error": {"code": code, "message": message}})


def _card(data: object) -> dict[str, Any] | None:
    if not isinstance(data, dict) or data.get("type") != "message":
        return None
    attachments = data.get("attachments")
    if not isinstance(attachments, list) or len(attachments) != 1:
        return None
    attachment = attachments[0]
    card = attachment.get("content") if isinstance(attachment, dict) else None
    if attachment.get("contentType") != CARD_TYPE or not isinstance(card, dict):
        return None
    if card.get("type") != "AdaptiveCard" or card.get("version") not in ("1.4", "1.5"):
        return None
    if not isinstance(card.get("body"), list):
        return None
    for action in card.get("actions", []):
        if action.get("type") != "Action.OpenUrl" or not str(action.get("url")).startswith("http"):
            return None
    return card
