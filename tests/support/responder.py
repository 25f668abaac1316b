"""Helpers for tests of the responder process: config, readiness, alerts and signed clicks."""

from __future__ import annotations

import subprocess
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from alerts.response.slack_verify import slack_signature
from streams.records import Alert

SLACK_SECRET = "slack-signing-secret-for-integration-tests"
LINK_KEY = "link-signing-key-for-integration-tests-0123456789"
API_TOKEN = "api-token-for-integration-tests"


def response_section(port: int, **extra: Any) -> dict[str, Any]:
    return {
        "listen_port": port,
        "public_url": f"http://127.0.0.1:{port}",
        "metrics_port": 0,
        "slack_signing_secret": SLACK_SECRET,
        "link_signing_key": LINK_KEY,
        "api_tokens": [API_TOKEN],
        **extra,
    }


def wait_until_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 90.0) -> None:
    """Until /healthz says the responder caught up with its topics (or it died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"responder exited with {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"responder on port {port} not ready after {timeout} s")


def alert(alert_id: str, *, team: str = "air-care", priority: str = "P2") -> Alert:
    return Alert(
        alert_id=alert_id,
        kind="mention",
        team=team,
        priority=priority,  # type: ignore[arg-type]
        labels={"team": team, "priority": priority, "kind": "mention", "brand": "acmeair"},
        summary="my flight was cancelled and nobody answers",
        reasons=["service_failure +0.25 (says 'cancelled')"],
        created_at=datetime.now(UTC),
    )


def slack_headers(body: bytes, secret: str = SLACK_SECRET) -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": slack_signature(secret, timestamp, body),
        "Content-Type": "application/x-www-form-urlencoded",
    }
