"""A receiver that verifies Standard Webhooks signatures, written apart from Earful's own
signing code so that a mistake there cannot be mirrored here."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from tests.support.fakes.base import Answer, FakeService, json_answer
from tests.support.receivers import Received

TOLERANCE = 300


class FakeWebhookReceiver(FakeService):
    def __init__(self, secrets: list[str], now: float | None = None) -> None:
        super().__init__()
        self.keys = [base64.b64decode(s.removeprefix("whsec_")) for s in secrets]
        self.now = now
        self.verified: list[tuple[str, bytes]] = []  # (webhook-id, body)

    def handle(self, request: Received) -> Answer:
        problem = self.problem(request)
        if problem:
            return json_answer(401, {"error": problem})
        self.verified.append((request.headers["webhook-id"], request.body))
        return 204, {}, b""

    def problem(self, request: Received) -> str | None:
        msg_id = request.headers.get("webhook-id", "")
        stamp = request.headers.get("webhook-timestamp", "")
        offered = request.headers.get("webhook-signature", "").split(" ")
        if not msg_id or not stamp.isdigit() or "." in msg_id:
            return "bad webhook-id or webhook-timestamp"
        now = time.time() if self.now is None else self.now
        if abs(now - int(stamp)) > TOLERANCE:
            return "timestamp outside tolerance"
        signed = msg_id.encode() + b"." + stamp.encode() + b"." + request.body
        for key in self.keys:
            mac = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
            if any(hmac.compare_digest(f"v1,{mac}", sig) for sig in offered):
                return None
        return "no valid signature"
