"""Prints alerts for a person watching a terminal (the demo's channel)."""

from __future__ import annotations

import sys
from typing import TextIO

from streams.records import Alert

RESET, BOLD, RED, YELLOW, DIM = "\033[0m", "\033[1m", "\033[31m", "\033[33m", "\033[2m"


def render(alert: Alert, receiver: str, color: bool = False) -> str:
    def paint(code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if color else text

    mention = alert.mention
    head_color = RED if alert.priority in ("P1", "P2") else YELLOW
    who = f"@{mention.author.handle}" if mention else ""
    where = f"{mention.source}" if mention else alert.kind
    lines = [
        paint(BOLD + head_color, f"[{alert.priority}] {alert.kind} for {alert.team or 'no team'}")
        + f"  -> {receiver}  ({alert.labels.get('brand') or 'no brand'}, {where} {who})",
        f"  {_printable(alert.summary)}",
        paint(DIM, "  why: " + "; ".join(alert.reasons)),
    ]
    if mention is not None and mention.url:
        lines.append(paint(DIM, f"  {mention.url}"))
    return "\n".join(lines)


def _printable(text: str) -> str:
    """Public text must not drive the terminal: drop control characters and escapes."""
    return "".join(c if c.isprintable() else " " for c in text)


class ConsoleNotifier:
    integration = "console"

    def __init__(self, receiver: str, stream: TextIO | None = None) -> None:
        self.receiver = receiver
        self.stream = stream or sys.stdout

    async def notify(self, alert: Alert) -> None:
        color = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.stream.write(render(alert, self.receiver, color) + "\n\n")
        self.stream.flush()

    async def close(self) -> None:
        return None
