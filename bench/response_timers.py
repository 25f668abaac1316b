"""How long the SLA engine's tick takes with many alerts pending, and how fast business-hours
deadlines are computed. Prints figures; asserts nothing.

    .venv/bin/python bench/response_timers.py [pending alerts]
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta

from alerts.response.sla import response_deadline
from alerts.response.tracker import SlaTracker
from config.response import ResponseSettings
from streams.records import Alert

RESPONSE = ResponseSettings.model_validate(
    {
        "business_hours": [{"team": "care", "timezone": "Europe/Lisbon"}],
        "escalation": [{"name": "all", "steps": [{}, {"wait_seconds": 600}]}],
    }
)
T0 = datetime(2026, 11, 20, 17, 30, tzinfo=UTC)


def alert(i: int) -> Alert:
    return Alert(
        alert_id=f"mention:bench:{i}",
        kind="mention",
        team="care",
        priority="P2",
        labels={"team": "care", "priority": "P2", "kind": "mention"},
        summary="s",
        reasons=[],
        created_at=T0 + timedelta(seconds=i),
    )


def main(count: int) -> None:
    alerts = [alert(i) for i in range(count)]
    started = time.perf_counter()
    for a in alerts:
        response_deadline(RESPONSE, a.priority, a.team, a.created_at)
    per_deadline = (time.perf_counter() - started) / count
    tracker = SlaTracker(RESPONSE)
    started = time.perf_counter()
    for i, a in enumerate(alerts):
        tracker.see_alert(a, i % 4, i)
    tracked = time.perf_counter() - started
    started = time.perf_counter()
    ticks = 20
    for _ in range(ticks):
        tracker.due(T0, {0, 1, 2, 3})  # nothing due yet: the steady-state cost of a tick
    per_tick = (time.perf_counter() - started) / ticks
    print(f"pending alerts: {count}")
    print(f"business-hours deadline: {per_deadline * 1e6:.1f} us each")
    print(f"tracking (deadline + chain): {tracked / count * 1e6:.1f} us per alert")
    print(f"idle tick over all pending: {per_tick * 1e3:.2f} ms (every 0.2 s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
