"""Helpers for the alert worker's integration tests: alerts written straight to the topic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson

from streams.records import Alert

# Each team's alerts to its own webhook receiver, the rest to the console: for tests where
# one team's channel misbehaves and the other's must not notice.
TWO_TEAM_ROUTE = {
    "receiver": "console",
    "routes": [
        {"matchers": ['team="air-care"'], "receiver": "air-hook"},
        {"matchers": ['team="bank-care"'], "receiver": "bank-hook"},
    ],
}

WORKER_FLAGS = {
    "retry": {"max_attempts": 4, "initial_backoff_seconds": 0.05, "max_backoff_seconds": 0.5},
}


def alert(
    alert_id: str,
    *,
    team: str = "air-care",
    brand: str = "acmeair",
    topic: str = "baggage",
    kind: str = "mention",
    priority: str = "P2",
    at: datetime | None = None,
) -> bytes:
    record = Alert(
        alert_id=alert_id,
        kind=kind,  # type: ignore[arg-type]
        team=team,
        priority=priority,  # type: ignore[arg-type]
        labels={
            "kind": kind,
            "team": team,
            "brand": brand,
            "topic": topic,
            "priority": priority,
            "source": "test",
        },
        summary=f"{kind} {alert_id}",
        reasons=["test"],
        created_at=at or datetime.now(UTC),
    )
    return record.model_dump_json().encode()


def silence(silence_id: str, matchers: list[str], *, hours: float = 1.0) -> bytes:
    now = datetime.now(UTC)
    return orjson.dumps(
        {
            "id": silence_id,
            "matchers": matchers,
            "starts_at": (now - timedelta(minutes=1)).isoformat(),
            "ends_at": (now + timedelta(hours=hours)).isoformat(),
            "created_by": "test@earful.example",
            "comment": "maintenance",
        }
    )


def body_id(body: bytes) -> str:
    return str(orjson.loads(body)["alert_id"])
