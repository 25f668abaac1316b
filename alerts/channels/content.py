"""What a message about an alert says, independent of any channel's markup.

Everything here is raw text: each channel escapes it for its own format (Slack mrkdwn,
HTML, Adaptive Card markdown) right where it builds the payload.
"""

from __future__ import annotations

from dataclasses import dataclass

from streams.records import Alert

ELLIPSIS = "…"


@dataclass(frozen=True)
class AlertView:
    alert_id: str
    kind: str
    priority: str
    team: str
    brand: str
    topic: str
    source: str
    author: str
    text: str
    reasons: tuple[str, ...]
    url: str | None

    @property
    def title(self) -> str:
        return f"[{self.priority}] {self.kind.replace('_', ' ')} for {self.team}"

    def facts(self) -> list[tuple[str, str]]:
        """Label/value pairs shown in every channel, empty values left out."""
        pairs = [
            ("Priority", self.priority),
            ("Team", self.team),
            ("Brand", self.brand),
            ("Topic", self.topic),
            ("Source", self.source),
            ("Author", self.author),
        ]
        return [(label, value) for label, value in pairs if value]


def view(alert: Alert) -> AlertView:
    mention = alert.mention
    labels = alert.labels
    return AlertView(
        alert_id=alert.alert_id,
        kind=alert.kind,
        priority=alert.priority,
        team=alert.team or labels.get("team") or "no team",
        brand=labels.get("brand") or (mention.brand if mention and mention.brand else ""),
        topic=labels.get("topic", ""),
        source=mention.source if mention else labels.get("source", ""),
        author=f"@{mention.author.handle}" if mention else "",
        text=printable(mention.text if mention else alert.summary),
        reasons=tuple(printable(r) for r in alert.reasons),
        url=mention.url if mention else None,
    )


def printable(text: str) -> str:
    """Drop control and invisible formatting characters (keeping newlines and tabs):
    public text must not reorder what a reader sees (bidi overrides) or hide characters."""
    return "".join(c if c.isprintable() or c in "\n\t" else " " for c in text)


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` characters, marked with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)] + ELLIPSIS
